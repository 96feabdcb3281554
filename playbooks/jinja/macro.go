package jinja

import (
	"fmt"

	gonjatags "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// maxMacroDepth bounds macros calling macros (themselves, most often):
// each call nests Go frames, and a macro that recurses without end would
// overflow the stack, which no Go program survives. Jinja's own limit is
// Python's recursion limit; no real template comes near either.
const maxMacroDepth = 200

// boundedMacro is gonja's {% macro %}, whose calls count their depth in the
// render's state and fail past maxMacroDepth.
type boundedMacro struct {
	*gonjatags.MacroControlStructure
}

func parseMacro(inner parser.ControlStructureParser) parser.ControlStructureParser {
	return func(doc, args *parser.Parser) (nodes.ControlStructure, error) {
		cs, err := inner(doc, args)
		if err != nil {
			return nil, err
		}
		m, ok := cs.(*gonjatags.MacroControlStructure)
		if !ok {
			return nil, fmt.Errorf("macro: unexpected %T", cs)
		}
		return &boundedMacro{m}, nil
	}
}

func (b *boundedMacro) Execute(r *exec.Renderer, tag *nodes.ControlStructureBlock) error {
	if err := b.MacroControlStructure.Execute(r, tag); err != nil {
		return err
	}
	name := b.Macro.Name
	v, _ := r.Environment.Context.Get(name)
	call, ok := v.(exec.Macro)
	if !ok {
		return nil
	}
	sv, _ := r.Environment.Context.Get(stateKey)
	st, _ := sv.(*renderState)
	if st == nil {
		return nil
	}
	r.Environment.Context.Set(name, exec.Macro(func(params *exec.VarArgs) *exec.Value {
		if st.macroDepth >= maxMacroDepth {
			// The render ends here: an error value would be swallowed by
			// what the call is part of (f(n) ~ f(n) would go on calling,
			// 2^depth times).
			err := fmt.Errorf("macro %s: calls nested deeper than %d (a macro that calls itself without end?)", name, maxMacroDepth)
			st.err = err
			panic(abortRender{err})
		}
		st.macroDepth++
		defer func() { st.macroDepth-- }()
		return call(params)
	}))
	return nil
}
