package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Markdown writes the report as Markdown, for a chat with the team or a
// pull request to the FAQ.
func Markdown(w io.Writer, r Report) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Stream report: #%s\n\n", r.Channel)
	p("%s – %s (UTC)\n\n", r.From.UTC().Format("2006-01-02 15:04"), r.To.UTC().Format("2006-01-02 15:04"))

	p("## Chat\n\n")
	p("| | |\n|---|---:|\n")
	p("| messages | %d |\n| questions | %d |\n", r.Messages, r.Questions)
	p("| answered from the FAQ | %d (%s) |\n", r.Answered, pct(r.Answered, r.Questions))
	p("| escalated to moderators | %d (%s) |\n", r.Escalated, pct(r.Escalated, r.Questions))
	p("| missed | %d (%s) |\n\n", r.Missed, pct(r.Missed, r.Questions))

	p("## Most asked FAQ entries\n\n")
	if len(r.TopEntries) == 0 {
		p("No answers from the FAQ.\n\n")
	} else {
		p("| entry | answers |\n|---|---:|\n")
		for _, c := range r.TopEntries {
			p("| %s | %d |\n", cell(c.Name), c.N)
		}
		p("\n")
	}

	p("## Unanswered questions — add these to the FAQ next\n\n")
	if len(r.Unanswered) == 0 {
		p("None: every question was answered or escalated.\n\n")
	} else {
		p("| asked | question | also asked as |\n|---:|---|---|\n")
		for _, g := range r.Unanswered {
			p("| %d | %s | %s |\n", g.Count, cell(g.Text), cell(strings.Join(g.Texts[1:], " · ")))
		}
		p("\n")
	}

	p("## Tickets\n\n")
	if r.Tickets == 0 {
		p("No tickets.\n\n")
	} else {
		var kinds []string
		for _, c := range r.TicketsByKind {
			kinds = append(kinds, fmt.Sprintf("%d %s", c.N, c.Name))
		}
		p("| | |\n|---|---:|\n")
		p("| filed | %d (%s) |\n", r.Tickets, strings.Join(kinds, ", "))
		p("| resolved | %d (%.0f%%) |\n", r.Resolved, 100*r.ResolutionRate)
		p("| first response, median / p90 | %s |\n", durs(r.FirstResponse))
		p("| resolution, median / p90 | %s |\n", durs(r.Resolution))
		if r.SLA > 0 {
			p("| over the %s first-response promise | %d |\n", exact(r.SLA), r.SLABreaches)
		}
		p("\n")
	}

	p("## Satisfaction\n\n")
	if len(r.Satisfaction) == 0 {
		p("No answers to rate.\n\n")
	} else {
		p("| entry | answers | helpful | wrong |\n|---|---:|---:|---:|\n")
		for _, s := range r.Satisfaction {
			p("| %s | %d | %d | %d |\n", cell(s.FAQ), s.Answers, s.Helpful, s.Wrong)
		}
		p("\n")
	}

	p("## Moderation\n\n")
	if len(r.Moderation) == 0 {
		p("No rule fired.\n")
	} else {
		p("| rule | actions | steps | shadow | pardons |\n|---|---:|---|---:|---:|\n")
		for _, m := range r.Moderation {
			var steps []string
			for _, s := range m.Steps {
				steps = append(steps, fmt.Sprintf("%d %s", s.N, s.Name))
			}
			hint := ""
			if m.Pardons > 0 && m.Actions > 0 && 4*m.Pardons >= m.Actions {
				hint = " ⚠ many pardons: false positives?"
			}
			p("| %s | %d | %s | %d | %d%s |\n", cell(m.Rule), m.Actions, cell(strings.Join(steps, ", ")), m.Shadow, m.Pardons, hint)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
}

func durs(d Durations) string {
	if d.N == 0 {
		return "–"
	}
	return short(d.Median) + " / " + short(d.P90)
}

// short is a measured duration the way a person writes it, in two units:
// 45s, 3m20s, 2h5m, 2d4h.
func short(d time.Duration) string { return chat.FormatDuration(d, 2) }

// exact is a configured duration (the promise, the timeline's step) as it
// was set, to the second.
func exact(d time.Duration) string { return chat.FormatDuration(d, 4) }

// cell keeps a viewer's text from breaking the table, and from acting on
// the terminal bot report prints it to.
func cell(s string) string {
	s = chat.Printable(strings.Join(strings.Fields(s), " "))
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}
