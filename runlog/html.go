package runlog

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
)

// The HTML history: one page, no external assets (inline CSS and SVG, no
// script), so it can be mailed or archived as is.

const (
	cellW, cellH, cellGap = 14, 18, 3
	labelW, headerH       = 160, 34
)

type htmlCell struct {
	X, Y          int
	Class, Title  string
	RunID, Status string
}

type htmlRow struct {
	Host                   string
	Y, TextY               int
	Cells                  []htmlCell
	Drift, Failed, Changes int
}

type htmlTick struct {
	X     int
	Label string
}

type htmlPage struct {
	Title, Generated, Span string
	Runs                   int
	Width, Height, SumX    int
	Rows                   []htmlRow
	Ticks                  []htmlTick
	Entries                []htmlEntry
}

type htmlEntry struct {
	Entry
	When, Duration, Commit, Class string
}

// cellClass is a host's state in one run: the worst that happened to it.
func cellClass(h HostReport) string {
	switch {
	case h.Status == "interrupted":
		return "interrupted"
	case h.Status == "unreachable":
		return "unreachable"
	case h.Status == "failed" || h.Status == "refused":
		return "failed"
	case h.Corrective > 0:
		return "corrective"
	case h.Intentional > 0 || h.Changed > 0:
		return "intentional"
	}
	return "ok"
}

// WriteHTML writes the history page: per host a timeline of its runs
// (drift corrected or pending, intentional changes, failures), then a table
// of the runs. reports are oldest first.
func WriteHTML(w io.Writer, reports []*Report, title string, now time.Time) error {
	page := htmlPage{Title: title, Generated: now.Local().Format("2006-01-02 15:04:05 MST"), Runs: len(reports)}
	if len(reports) > 0 {
		page.Span = fmt.Sprintf("%s to %s", reports[0].Start.Local().Format("2006-01-02 15:04"), reports[len(reports)-1].Start.Local().Format("2006-01-02 15:04"))
	}
	rows := map[string]*htmlRow{}
	var hosts []string
	for _, r := range reports {
		for _, h := range r.Hosts {
			if rows[h.Name] == nil {
				rows[h.Name] = &htmlRow{Host: h.Name}
				hosts = append(hosts, h.Name)
			}
		}
	}
	sort.Strings(hosts)
	for i, name := range hosts {
		rows[name].Y = headerH + i*(cellH+cellGap)
		rows[name].TextY = rows[name].Y + cellH - 5
	}
	lastDay := ""
	for col, r := range reports {
		x := labelW + col*(cellW+cellGap)
		if day := r.Start.Local().Format("Jan 2"); day != lastDay {
			page.Ticks = append(page.Ticks, htmlTick{X: x, Label: day})
			lastDay = day
		}
		for _, h := range r.Hosts {
			row := rows[h.Name]
			class := cellClass(h)
			switch class {
			case "corrective":
				row.Drift++
			case "failed", "unreachable":
				row.Failed++
			case "intentional":
				row.Changes++
			}
			if r.Mode == "check" {
				class += " check"
			}
			row.Cells = append(row.Cells, htmlCell{X: x, Y: row.Y, Class: class, Title: cellTitle(r, h), RunID: r.ID, Status: h.Status})
		}
	}
	for _, name := range hosts {
		page.Rows = append(page.Rows, *rows[name])
	}
	page.SumX = labelW + len(reports)*(cellW+cellGap) + 10
	page.Width = page.SumX + 220
	page.Height = headerH + len(hosts)*(cellH+cellGap) + 4
	for i := len(reports) - 1; i >= 0; i-- { // newest first in the table
		e := Summarize(reports[i])
		he := htmlEntry{Entry: e, When: e.Start.Local().Format("2006-01-02 15:04:05"), Duration: roundDuration(e.Duration).String(), Commit: "-"}
		if e.Commit != "" {
			he.Commit = e.Commit[:min(10, len(e.Commit))]
			if e.Dirty {
				he.Commit += "+dirty"
			}
		}
		switch {
		case e.Failed+e.Unreachable+e.Refused > 0:
			he.Class = "failed"
		case e.Corrective > 0:
			he.Class = "corrective"
		case e.Changed > 0:
			he.Class = "intentional"
		}
		page.Entries = append(page.Entries, he)
	}
	return htmlTemplate.Execute(w, page)
}

// cellTitle is a cell's tooltip: when, what, and the tasks that changed or
// failed.
func cellTitle(r *Report, h HostReport) string {
	var b strings.Builder
	mode := Summarize(r).ModeLabel()
	if mode == "check" {
		mode = "check (nothing changed; changes are pending)"
	}
	fmt.Fprintf(&b, "%s · %s · %s: %s", r.Start.Local().Format("2006-01-02 15:04:05"), mode, h.Name, h.Status)
	if h.Corrective+h.Intentional > 0 {
		fmt.Fprintf(&b, " (%d corrective, %d intentional)", h.Corrective, h.Intentional)
	}
	if h.Refused != "" {
		b.WriteString(" — " + h.Refused)
	}
	n := 0
	for _, t := range h.Tasks {
		if t.Status != "changed" && t.Status != "failed" && t.Status != "unreachable" && t.Status != "interrupted" {
			continue
		}
		if n++; n > 12 {
			b.WriteString("\n…")
			break
		}
		fmt.Fprintf(&b, "\n%s: %s", t.Status, t.Task)
		if t.Item != "" {
			fmt.Fprintf(&b, " (item=%s)", t.Item)
		}
		if t.Change != "" {
			fmt.Fprintf(&b, " [%s]", t.Change)
		}
		if t.Msg != "" {
			msg := t.Msg
			if len(msg) > 120 {
				msg = msg[:120] + "…"
			}
			b.WriteString(" — " + msg)
		}
	}
	return b.String()
}

var htmlTemplate = template.Must(template.New("history").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .2em; }
.meta { color: #666; margin: 0 0 1em; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: .3em; vertical-align: -1px; }
.scroll { overflow-x: auto; border: 1px solid #ddd; padding: 6px; margin: 1em 0; }
svg text { font: 12px system-ui, sans-serif; fill: #222; }
svg text.tick, svg text.sum { fill: #666; font-size: 11px; }
rect.ok, i.ok { fill: #2e9e5b; background: #2e9e5b; }
rect.corrective, i.corrective { fill: #f08c00; background: #f08c00; }
rect.intentional, i.intentional { fill: #3567d6; background: #3567d6; }
rect.failed, i.failed { fill: #d62828; background: #d62828; }
rect.unreachable, i.unreachable { fill: #6c757d; background: #6c757d; }
rect.interrupted, i.interrupted { fill: #7b2cbf; background: #7b2cbf; }
rect.check { fill-opacity: .4; stroke: #333; stroke-width: 1; stroke-dasharray: 2 2; }
i.check { background: #eee; border: 1px dashed #333; width: 10px; height: 10px; }
table { border-collapse: collapse; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; }
tr.corrective td:first-child { border-left: 4px solid #f08c00; }
tr.intentional td:first-child { border-left: 4px solid #3567d6; }
tr.failed td:first-child { border-left: 4px solid #d62828; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">{{.Runs}} runs{{if .Span}}, {{.Span}}{{end}} · generated {{.Generated}}</p>
<p class="legend"><span><i class="ok"></i>ok</span><span><i class="corrective"></i>drift corrected</span><span><i class="intentional"></i>intentional change</span><span><i class="failed"></i>failed</span><span><i class="unreachable"></i>unreachable</span><span><i class="interrupted"></i>interrupted</span><span><i class="check"></i>check run (pending, nothing changed)</span></p>
<div class="scroll">
<svg id="timeline" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="per-host timeline of runs">
{{- range .Ticks}}
<text class="tick" x="{{.X}}" y="20">{{.Label}}</text>
{{- end}}
{{- range .Rows}}
<g class="host" data-host="{{.Host}}" data-drift="{{.Drift}}" data-failed="{{.Failed}}" data-changes="{{.Changes}}">
<text x="0" y="{{.TextY}}">{{.Host}}</text>
{{- range .Cells}}
<rect class="cell {{.Class}}" data-run="{{.RunID}}" data-status="{{.Status}}" x="{{.X}}" y="{{.Y}}" width="14" height="18" rx="2"><title>{{.Title}}</title></rect>
{{- end}}
<text class="sum" x="{{$.SumX}}" y="{{.TextY}}">{{.Drift}} drift, {{.Changes}} changes, {{.Failed}} failures</text>
</g>
{{- end}}
</svg>
</div>
<table id="runs">
<thead><tr><th>when</th><th>mode</th><th>hosts</th><th>changed</th><th>corrective</th><th>intentional</th><th>failed</th><th>unreachable</th><th>duration</th><th>commit</th><th>label</th><th>exit</th></tr></thead>
<tbody>
{{- range .Entries}}
<tr class="{{.Class}}" data-run="{{.ID}}"><td>{{.When}}</td><td class="text">{{.ModeLabel}}</td><td>{{.Hosts}}</td><td>{{.Changed}}</td><td>{{.Corrective}}</td><td>{{.Intentional}}</td><td>{{.Failed}}</td><td>{{.Unreachable}}</td><td>{{.Duration}}</td><td class="text">{{.Commit}}</td><td class="text">{{.Label}}</td><td>{{.ExitCode}}</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))
