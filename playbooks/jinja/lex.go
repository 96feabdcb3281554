package jinja

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// lex turns normalized template text into gonja tokens, ready for the
// parser: expression newlines joined, whitespace dropped, positions
// counted in the original text, string literals decoded (raw: see
// decodeLiterals) and ternaries rewritten.
func lex(src string, cfg *config.Config, raw bool) (toks []*tokens.Token, err error) {
	defer func() {
		// gonja's lexer indexes out of range on a few inputs (a number,
		// a dot and a non-ASCII letter: `x.0.ñ`)
		if r := recover(); r != nil {
			toks, err = nil, &SyntaxError{Msg: fmt.Sprintf("cannot read the template text (lexer failure: %v)", r)}
		}
	}()
	text, trap := prepare(src)
	offsets := tokens.PrecomputeLineOffsets(src)
	if trap >= 0 {
		line, col := tokens.ReadablePositionFromOffsets(trap, offsets)
		return nil, &SyntaxError{Line: line, Col: col, Msg: "a number followed by '.' and a non-ASCII letter cannot be read: write x[0]['ñ'], not x.0.ñ"}
	}
	stream := tokens.LexAll(text, cfg)
	for {
		t := stream.Current() // the stream already skips whitespace tokens
		if t == nil || t.Type == tokens.EOF && t.Line == 0 {
			break // (the stream's shared end marker: not ours to change)
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
	decodeLiterals(toks, src, raw)
	toks = fixRaw(toks, src)
	return rewriteTernaries(testKeywords(shortenNames(toks))), nil
}

// fixRaw makes {% raw %} blocks render as in Jinja, where gonja differs:
// the newline right after {% raw %} stays (trim_blocks spares it; gonja's
// lexer drops it), and {% raw -%} and {%- endraw %} trim the content
// (gonja ignores them).
func fixRaw(toks []*tokens.Token, src string) []*tokens.Token {
	for i := 2; i < len(toks); i++ {
		end := toks[i]
		if end.Type != tokens.BlockEnd || toks[i-1].Type != tokens.Name || toks[i-1].Val != "raw" || toks[i-2].Type != tokens.BlockBegin {
			continue
		}
		if i+1 == len(toks) || toks[i+1].Type != tokens.Data { // empty content
			at := end.Pos + len(end.Val)
			if !strings.HasPrefix(end.Val, "-") && at < len(src) && src[at] == '\n' {
				data := &tokens.Token{Type: tokens.Data, Val: "\n", Pos: at, Line: end.Line, Col: end.Col}
				toks = append(toks[:i+1], append([]*tokens.Token{data}, toks[i+1:]...)...)
			}
			continue
		}
		data := toks[i+1]
		switch at := end.Pos + len(end.Val); {
		case strings.HasPrefix(end.Val, "-"):
			data.Val = strings.TrimLeft(data.Val, " \t\r\n")
		case data.Pos == at+1 && src[at] == '\n':
			data.Val = "\n" + data.Val
		}
		if i+2 < len(toks) && toks[i+2].Type == tokens.BlockBegin && strings.HasSuffix(toks[i+2].Val, "-") {
			data.Val = strings.TrimRight(data.Val, " \t\r\n")
		}
	}
	return toks
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

// shortenNames joins a dotted filter or test name into one name token,
// as Jinja's parser does (`x | ansible.builtin.to_json`,
// `x is not community.general.a_b`): gonja reads a filter or test name as
// one identifier. The rewrite (names.go) resolves the joined name.
func shortenNames(toks []*tokens.Token) []*tokens.Token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		j := i + 1
		switch {
		case t.Type == tokens.Pipe:
		case t.Type == tokens.Is:
			if j < len(toks) && toks[j].Type == tokens.Not {
				out = append(out, toks[j])
				j++
			}
		default:
			continue
		}
		if j+2 >= len(toks) || toks[j].Type != tokens.Name || toks[j+1].Type != tokens.Dot || toks[j+2].Type != tokens.Name {
			i = j - 1
			continue
		}
		name := *toks[j]
		for j+2 < len(toks) && toks[j+1].Type == tokens.Dot && toks[j+2].Type == tokens.Name {
			name.Val += "." + toks[j+2].Val
			j += 2
		}
		out = append(out, &name)
		i = j
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
