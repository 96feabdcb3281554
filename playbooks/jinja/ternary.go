package jinja

import "github.com/nikolalohinski/gonja/v2/tokens"

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
