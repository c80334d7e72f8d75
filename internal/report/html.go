package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"time"
)

// The HTML report is one file that opens anywhere, offline: the charts are
// SVG drawn here, the style is inline, and there is no script at all.

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": pct, "durs": durs, "exact": exact,
	"join": strings.Join,
	"rest": func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s[1:]
	},
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"mul4":    func(n int) int { return 4 * n },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stream report: #{{.R.Channel}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1d1d1f;background:#fff}
h1{margin-bottom:0}h2{margin-top:2em;border-bottom:1px solid #ddd}
.sub{color:#666}
.tiles{display:flex;gap:1em;flex-wrap:wrap}
.tile{border:1px solid #ddd;border-radius:8px;padding:.6em 1em;min-width:8em}
.tile b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%}td,th{padding:.3em .6em;border-bottom:1px solid #eee;text-align:left}
td.n,th.n{text-align:right}
.warn{color:#b25000}
svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
</style>
</head>
<body>
<h1>Stream report: #{{.R.Channel}}</h1>
<p class="sub">{{when .R.From}} – {{when .R.To}} UTC</p>
<div class="tiles">
<div class="tile">messages<b>{{.R.Messages}}</b></div>
<div class="tile">questions<b>{{.R.Questions}}</b></div>
<div class="tile">answered<b>{{.R.Answered}}</b>{{pct .R.Answered .R.Questions}}</div>
<div class="tile">escalated<b>{{.R.Escalated}}</b>{{pct .R.Escalated .R.Questions}}</div>
<div class="tile">missed<b>{{.R.Missed}}</b>{{pct .R.Missed .R.Questions}}</div>
</div>

<h2>Questions over time</h2>
<p class="legend"><span><i style="background:#2e8b57"></i>answered</span><span><i style="background:#e0a100"></i>escalated</span><span><i style="background:#c0392b"></i>missed</span> · one bar per {{exact .R.BucketSize}}</p>
{{.Timeline}}

<h2>Answered, escalated, missed</h2>
{{.Outcomes}}

<h2>Most asked FAQ entries</h2>
{{if .R.TopEntries}}<table><tr><th>entry</th><th class="n">answers</th></tr>
{{range .R.TopEntries}}<tr><td>{{.Name}}</td><td class="n">{{.N}}</td></tr>
{{end}}</table>{{else}}<p>No answers from the FAQ.</p>{{end}}

<h2>Unanswered questions — add these to the FAQ next</h2>
{{if .R.Unanswered}}<table><tr><th class="n">asked</th><th>question</th><th>also asked as</th></tr>
{{range .R.Unanswered}}<tr><td class="n">{{.Count}}</td><td>{{.Text}}</td><td>{{join (rest .Texts) " · "}}</td></tr>
{{end}}</table>{{else}}<p>None: every question was answered or escalated.</p>{{end}}

<h2>Tickets</h2>
{{if .R.Tickets}}<div class="tiles">
<div class="tile">filed<b>{{.R.Tickets}}</b>{{range $i, $k := .R.TicketsByKind}}{{if $i}}, {{end}}{{$k.N}} {{$k.Name}}{{end}}</div>
<div class="tile">resolved<b>{{.R.Resolved}}</b>{{percent .R.ResolutionRate}}</div>
<div class="tile">first response<b>{{durs .R.FirstResponse}}</b>median / p90</div>
<div class="tile">resolution<b>{{durs .R.Resolution}}</b>median / p90</div>
{{if .R.SLA}}<div class="tile">over the {{exact .R.SLA}} promise<b>{{.R.SLABreaches}}</b></div>{{end}}
</div>
<h3>First-response times</h3>
{{.Responses}}{{else}}<p>No tickets.</p>{{end}}

<h2>Satisfaction</h2>
{{if .R.Satisfaction}}<table><tr><th>entry</th><th class="n">answers</th><th class="n">helpful</th><th class="n">wrong</th></tr>
{{range .R.Satisfaction}}<tr><td>{{.FAQ}}</td><td class="n">{{.Answers}}</td><td class="n">{{.Helpful}}</td><td class="n">{{.Wrong}}</td></tr>
{{end}}</table>{{else}}<p>No answers to rate.</p>{{end}}

<h2>Moderation</h2>
{{if .R.Moderation}}<table><tr><th>rule</th><th class="n">actions</th><th>steps</th><th class="n">shadow</th><th class="n">pardons</th></tr>
{{range .R.Moderation}}<tr><td>{{.Rule}}</td><td class="n">{{.Actions}}</td><td>{{range $i, $s := .Steps}}{{if $i}}, {{end}}{{$s.N}} {{$s.Name}}{{end}}</td><td class="n">{{.Shadow}}</td><td class="n{{if and .Pardons .Actions}}{{if ge (mul4 .Pardons) .Actions}} warn{{end}}{{end}}">{{.Pardons}}</td></tr>
{{end}}</table>{{else}}<p>No rule fired.</p>{{end}}
</body>
</html>
`))

// HTML writes the report as one self-contained HTML page with charts.
func HTML(w io.Writer, r Report) error {
	return page.Execute(w, struct {
		R                             Report
		Timeline, Outcomes, Responses template.HTML
	}{r, timelineSVG(r), outcomesSVG(r), responsesSVG(r)})
}

const (
	colAnswered  = "#2e8b57"
	colEscalated = "#e0a100"
	colMissed    = "#c0392b"
)

// timelineSVG is a stacked bar per bucket.
func timelineSVG(r Report) template.HTML {
	const w, h, left, bottom, top = 960, 260, 40, 30, 10
	peak := 1
	for _, b := range r.Timeline {
		peak = max(peak, b.Answered+b.Escalated+b.Missed)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="questions over time">`, w, h, w, h)
	plotH := float64(h - bottom - top)
	fmt.Fprintf(&s, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="11" text-anchor="end">%d</text>`, left-4, top+10, peak)
	fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="11" text-anchor="end">0</text>`, left-4, h-bottom)
	n := max(len(r.Timeline), 1)
	slot := float64(w-left) / float64(n)
	bar := max(slot*0.8, 1)
	labelEvery := max(1, n/8)
	for i, b := range r.Timeline {
		x := float64(left) + float64(i)*slot + (slot-bar)/2
		y := float64(h - bottom)
		for _, part := range []struct {
			n   int
			col string
		}{{b.Answered, colAnswered}, {b.Escalated, colEscalated}, {b.Missed, colMissed}} {
			if part.n == 0 {
				continue
			}
			bh := plotH * float64(part.n) / float64(peak)
			y -= bh
			fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%d</title></rect>`, x, y, bar, bh, part.col, part.n)
		}
		if i%labelEvery == 0 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bar/2, h-bottom+16, b.Start.UTC().Format("15:04"))
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// outcomesSVG is one horizontal bar per outcome.
func outcomesSVG(r Report) template.HTML {
	rows := []struct {
		name string
		n    int
		col  string
	}{{"answered", r.Answered, colAnswered}, {"escalated", r.Escalated, colEscalated}, {"missed", r.Missed, colMissed}}
	return hbars(func(i int) (string, int, string) { return rows[i].name, rows[i].n, rows[i].col }, len(rows), r.Questions)
}

// ResponseBuckets are the first-response histogram's bins.
var ResponseBuckets = []struct {
	Label string
	Upto  time.Duration
}{
	{"< 1m", time.Minute}, {"1–5m", 5 * time.Minute}, {"5–15m", 15 * time.Minute},
	{"15–60m", time.Hour}, {"> 1h", 1<<63 - 1},
}

// responsesSVG is the distribution of first-response times.
func responsesSVG(r Report) template.HTML {
	counts := make([]int, len(ResponseBuckets))
	for _, d := range r.ResponseTimes {
		for i, b := range ResponseBuckets {
			if d < b.Upto {
				counts[i]++
				break
			}
		}
	}
	return hbars(func(i int) (string, int, string) { return ResponseBuckets[i].Label, counts[i], "#3b6ea8" }, len(counts), len(r.ResponseTimes))
}

// hbars draws n labelled horizontal bars, each with its share of total.
func hbars(row func(int) (string, int, string), n, total int) template.HTML {
	const w, rowH, left = 960, 34, 110
	h := n*rowH + 10
	peak := 1
	for i := range n {
		_, v, _ := row(i)
		peak = max(peak, v)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, w, h, w, h)
	for i := range n {
		name, v, col := row(i)
		y := 5 + i*rowH
		bw := float64(w-left-120) * float64(v) / float64(peak)
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="13" text-anchor="end">%s</text>`, left-8, y+rowH/2+4, html.EscapeString(name))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, left, y+4, bw, rowH-8, col)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" font-size="13">%d (%s)</text>`, float64(left)+bw+6, y+rowH/2+4, v, pct(v, total))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
