package jinja

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// lex turns normalized template text into gonja tokens, ready for the
// parser: expression newlines joined, whitespace dropped, positions
// counted in the original text and ternaries rewritten.
func lex(src string, cfg *config.Config) (toks []*tokens.Token, err error) {
	defer func() {
		// gonja's lexer indexes out of range on a few inputs (a number,
		// a dot and a non-ASCII letter: `x.0.ñ`)
		if r := recover(); r != nil {
			toks, err = nil, &SyntaxError{Msg: fmt.Sprintf("cannot read the template text (lexer failure: %v)", r)}
		}
	}()
	stream := tokens.LexAll(joinExpressionLines(src), cfg)
	offsets := tokens.PrecomputeLineOffsets(src)
	for {
		t := stream.Current() // the stream already skips whitespace tokens
		if t == nil {
			break
		}
		t.Line, t.Col = tokens.ReadablePositionFromOffsets(min(t.Pos, len(src)), offsets)
		if t.Type == tokens.Error {
			return nil, &SyntaxError{Line: t.Line, Col: t.Col, Msg: lexMessage(t.Val)}
		}
		toks = append(toks, t)
		if t.Type == tokens.EOF {
			break
		}
		stream.Next()
	}
	if err := unclosed(toks); err != nil {
		return nil, err
	}
	return rewriteTernaries(testKeywords(shortenNames(toks))), nil
}

// unclosed reports a {{ or {% the text ends inside: gonja's parser would
// read past the end.
func unclosed(toks []*tokens.Token) error {
	for i := len(toks) - 1; i >= 0; i-- {
		switch toks[i].Type {
		case tokens.VariableEnd, tokens.BlockEnd, tokens.Data, tokens.CommentEnd:
			return nil
		case tokens.VariableBegin, tokens.BlockBegin:
			end := toks[len(toks)-1]
			want := "}}"
			if toks[i].Type == tokens.BlockBegin {
				want = "%}"
			}
			return &SyntaxError{Line: end.Line, Col: end.Col, Msg: "unexpected end of template, expected '" + want + "'"}
		}
	}
	return nil
}

// kwargsKey marks the dict literal testKeywords packs a test's keyword
// arguments into; the rewrite (rewrite.go) unpacks it.
const kwargsKey = ".kwargs"

// testKeywords lets tests take keyword arguments
// (`x is match('a', ignorecase=true)`). gonja parses a test's arguments as
// one parenthesized value, where `k=v` is no syntax, so the keywords are
// passed as a trailing {'.kwargs': {'k': v}}.
func testKeywords(toks []*tokens.Token) []*tokens.Token {
	var out []*tokens.Token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if t.Type != tokens.Is {
			continue
		}
		j := i + 1
		if j < len(toks) && toks[j].Type == tokens.Not {
			j++
		}
		if j+1 >= len(toks) || toks[j].Type != tokens.Name || toks[j+1].Type != tokens.LeftParenthesis {
			continue
		}
		end := closing(toks, j+1)
		if end == len(toks) {
			continue
		}
		args, ok := packKeywords(toks[j+2:end], toks[j+1])
		if !ok {
			continue
		}
		out = append(out, toks[i+1:j+2]...)
		out = append(out, args...)
		out = append(out, toks[end])
		i = end
	}
	if out == nil {
		return toks
	}
	return out
}

// packKeywords rewrites `a, k=v` as `a, {'.kwargs': {'k': v}}`; ok is
// false when there are no keywords.
func packKeywords(args []*tokens.Token, at *tokens.Token) ([]*tokens.Token, bool) {
	var segments [][]*tokens.Token
	start, depth := 0, 0
	for i, t := range args {
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case tokens.Comma:
			if depth == 0 {
				segments = append(segments, args[start:i])
				start = i + 1
			}
		}
	}
	segments = append(segments, args[start:])
	tok := func(typ tokens.Type, val string) *tokens.Token {
		return &tokens.Token{Type: typ, Val: val, Pos: at.Pos, Line: at.Line, Col: at.Col}
	}
	var pos, kw []*tokens.Token
	for _, seg := range segments {
		if len(seg) > 2 && seg[0].Type == tokens.Name && seg[1].Type == tokens.Assign {
			if len(kw) > 0 {
				kw = append(kw, tok(tokens.Comma, ","))
			}
			kw = append(kw, tok(tokens.String, seg[0].Val), tok(tokens.Colon, ":"))
			kw = append(kw, seg[2:]...)
			continue
		}
		if len(seg) == 0 {
			continue
		}
		if len(pos) > 0 {
			pos = append(pos, tok(tokens.Comma, ","))
		}
		pos = append(pos, seg...)
	}
	if kw == nil {
		return nil, false
	}
	if len(pos) > 0 {
		pos = append(pos, tok(tokens.Comma, ","))
	}
	pos = append(pos, tok(tokens.LeftBrace, "{"), tok(tokens.String, kwargsKey), tok(tokens.Colon, ":"), tok(tokens.LeftBrace, "{"))
	pos = append(pos, kw...)
	return append(pos, tok(tokens.RightBrace, "}"), tok(tokens.RightBrace, "}")), true
}

// shortenNames drops the collection from filter and test names
// (`x | ansible.builtin.to_json`, `x is ansible.builtin.match('a')`):
// gonja reads a filter or test name as one identifier.
func shortenNames(toks []*tokens.Token) []*tokens.Token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if t.Type != tokens.Pipe && t.Type != tokens.Is && t.Type != tokens.Not || i+5 >= len(toks) {
			continue
		}
		n := toks[i+1 : i+6]
		if n[0].Type == tokens.Name && n[0].Val == "ansible" && n[1].Type == tokens.Dot &&
			n[2].Type == tokens.Name && (n[2].Val == "builtin" || n[2].Val == "legacy") &&
			n[3].Type == tokens.Dot && n[4].Type == tokens.Name {
			out = append(out, n[4])
			i += 5
		}
	}
	return out
}

// lexMessage words a lexer error. For an unterminated string gonja's
// lexer reports only the text of the string.
func lexMessage(msg string) string {
	for _, known := range []string{"Unbalanced", "Unexpected", "Unable", "unclosed", "invalid", "two dots"} {
		if strings.HasPrefix(msg, known) {
			return msg
		}
	}
	return "unterminated string: " + msg
}

// rewriteTernaries spells every `X if C else Y` inside {{ }} and {% %} as
// `((C) and [X] or [Y])[0]`. gonja parses a conditional expression only as
// a whole {{ }} or {% set %}, while Jinja allows one anywhere (in
// parentheses, filter arguments, conditions); the rewritten form parses
// everywhere and, since `and`/`or` short-circuit, evaluates only the chosen
// branch, so `x.y if x is defined else 0` stays safe. A bare `X if C`
// (no else) is left for gonja, which supports it where Jinja commonly uses
// it: a whole {{ }} and a for loop's filter.
func rewriteTernaries(toks []*tokens.Token) []*tokens.Token {
	hasElse := false
	for _, t := range toks {
		if t.Type == tokens.Name && t.Val == "else" {
			hasElse = true
			break
		}
	}
	if !hasElse {
		return toks
	}
	out := make([]*tokens.Token, 0, len(toks)+16)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if t.Type != tokens.VariableBegin && t.Type != tokens.BlockBegin {
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].Type != tokens.VariableEnd && toks[j].Type != tokens.BlockEnd && toks[j].Type != tokens.EOF {
			j++
		}
		inner := toks[i+1 : j]
		segments := true
		if t.Type == tokens.BlockBegin && len(inner) > 0 && inner[0].Type == tokens.Name {
			out = append(out, inner[0])
			// in `for x in items if cond` the if is the loop filter
			segments = inner[0].Val != "for"
			inner = inner[1:]
		}
		out = append(out, rewriteGroup(inner, segments)...)
		i = j - 1
	}
	return out
}

// rewriteGroup rewrites the tokens of one bracket level: nested brackets
// recursively and, when segments is set, each comma-, colon- or
// assignment-separated part at this level.
func rewriteGroup(seq []*tokens.Token, segments bool) []*tokens.Token {
	out := make([]*tokens.Token, 0, len(seq))
	segStart := 0
	flush := func() {
		if segments {
			seg := rewriteSegment(append([]*tokens.Token(nil), out[segStart:]...))
			out = append(out[:segStart], seg...)
		}
	}
	for i := 0; i < len(seq); i++ {
		t := seq[i]
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			j := closing(seq, i)
			out = append(out, t)
			out = append(out, rewriteGroup(seq[i+1:j], true)...)
			if j < len(seq) {
				out = append(out, seq[j])
			}
			i = j
		case tokens.Comma, tokens.Colon, tokens.Assign:
			flush()
			out = append(out, t)
			segStart = len(out)
		default:
			out = append(out, t)
		}
	}
	flush()
	return out
}

// closing returns the index of the bracket closing seq[open], or len(seq).
func closing(seq []*tokens.Token, open int) int {
	depth := 0
	for i := open; i < len(seq); i++ {
		switch seq[i].Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(seq)
}

// rewriteSegment rewrites one expression whose nested brackets are done.
func rewriteSegment(seg []*tokens.Token) []*tokens.Token {
	ifAt, elseAt := -1, -1
	depth := 0
	for i, t := range seg {
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case tokens.Name:
			if depth != 0 || i > 0 && seg[i-1].Type == tokens.Dot {
				continue
			}
			if t.Val == "if" && ifAt < 0 {
				ifAt = i
			} else if t.Val == "else" && ifAt >= 0 && elseAt < 0 {
				elseAt = i
			}
		}
	}
	if ifAt <= 0 || elseAt <= ifAt+1 || elseAt == len(seg)-1 {
		return seg
	}
	x, c, y := seg[:ifAt], seg[ifAt+1:elseAt], rewriteSegment(seg[elseAt+1:])
	at := seg[ifAt]
	tok := func(typ tokens.Type, val string) *tokens.Token {
		return &tokens.Token{Type: typ, Val: val, Pos: at.Pos, Line: at.Line, Col: at.Col}
	}
	out := make([]*tokens.Token, 0, len(seg)+12)
	out = append(out, tok(tokens.LeftParenthesis, "("), tok(tokens.LeftParenthesis, "("))
	out = append(out, c...)
	out = append(out, tok(tokens.RightParenthesis, ")"), tok(tokens.And, "and"), tok(tokens.LeftBracket, "["))
	out = append(out, x...)
	out = append(out, tok(tokens.RightBracket, "]"), tok(tokens.Or, "or"), tok(tokens.LeftBracket, "["))
	out = append(out, y...)
	out = append(out, tok(tokens.RightBracket, "]"), tok(tokens.RightParenthesis, ")"),
		tok(tokens.LeftBracket, "["), tok(tokens.Integer, "0"), tok(tokens.RightBracket, "]"))
	return out
}
