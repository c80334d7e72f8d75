package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// ChannelTickets are one channel's tickets with its first-response
// promise, for the ticket list and exports.
type ChannelTickets struct {
	Channel string
	Promise time.Duration
	Tickets []escalation.Ticket
}

// WriteTicketList writes each channel's summary line and a table of its
// tickets, as bot tickets list shows them.
func WriteTicketList(w io.Writer, chs []ChannelTickets, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, ch := range chs {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		promise := ch.Promise
		fmt.Fprintf(tw, "#%s: %s\n", ch.Channel, TicketSummary(ch.Tickets, promise, now))
		if len(ch.Tickets) == 0 {
			continue
		}
		fmt.Fprintln(tw, "TICKET\tKIND\tSTATE\tAGE\tASKERS\tFIRST RESPONSE\tTEXT")
		for _, t := range ch.Tickets {
			m := escalation.TimesOf(t, promise, now)
			fr := "-"
			if m.Answered {
				fr = chat.FormatDuration(m.FirstResponse, 2)
			}
			if m.Breached {
				fr += " (late)"
			}
			state := string(t.State)
			if t.ClaimedBy != "" && t.State.Open() {
				state += " (" + chat.Printable(t.ClaimedBy) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", t.Ref(), t.Kind, state, chat.FormatDuration(now.Sub(t.CreatedAt), 2),
				max(t.AskerCount, len(t.Askers)), fr, oneLine(t.Text, 60))
		}
	}
	return tw.Flush()
}

// TicketSummary is a channel's helpdesk numbers in one line: the same
// escalation.Measure the stream report shows.
func TicketSummary(ts []escalation.Ticket, promise time.Duration, now time.Time) string {
	if len(ts) == 0 {
		return "no tickets"
	}
	m := escalation.Measure(ts, promise, now)
	noun := "tickets"
	if m.Tickets == 1 {
		noun = "ticket"
	}
	parts := []string{fmt.Sprintf("%d %s, %d open, %d resolved", m.Tickets, noun, m.Open, m.Resolved)}
	if m.FirstResponse.N > 0 {
		parts = append(parts, "first response median "+chat.FormatDuration(m.FirstResponse.Median, 2))
	}
	if m.Resolution.N > 0 {
		parts = append(parts, "resolved in median "+chat.FormatDuration(m.Resolution.Median, 2))
	}
	parts = append(parts, fmt.Sprintf("%d reopened", m.Reopened))
	if promise > 0 {
		parts = append(parts, fmt.Sprintf("%d past the %s promise", m.Breaches, chat.FormatDuration(promise, 4)))
	}
	return strings.Join(parts, "; ")
}

// oneLine fits text on one line of n runes, printable on a terminal.
func oneLine(text string, n int) string {
	text = chat.Printable(strings.Join(strings.Fields(text), " "))
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}

// WriteTicket writes one ticket whole, as bot tickets show shows it. What
// viewers and moderators wrote passes through chat.Printable: it goes to a
// terminal.
func WriteTicket(w io.Writer, t escalation.Ticket, promise time.Duration, now time.Time) {
	p := chat.Printable
	ts := func(x time.Time) string {
		if x.IsZero() {
			return "-"
		}
		return x.Local().Format("2006-01-02 15:04:05")
	}
	m := escalation.TimesOf(t, promise, now)
	fmt.Fprintf(w, "ticket %s in #%s — %s, %s (filed by %s)\n", t.Ref(), t.Channel, t.Kind, t.State, t.Source)
	fmt.Fprintf(w, "  text:      %s\n", p(t.Text))
	fmt.Fprintf(w, "  filed:     %s\n", ts(t.CreatedAt))
	if t.ClaimedBy != "" {
		fmt.Fprintf(w, "  claimed:   %s by %s", ts(t.ClaimedAt), p(t.ClaimedBy))
		if t.State == escalation.StateClaimed {
			fmt.Fprintf(w, " (lease until %s)", ts(t.LeaseUntil))
		}
		fmt.Fprintln(w)
	}
	if t.Answer != "" {
		fmt.Fprintf(w, "  answered:  %s by %s: %s\n", ts(t.AnsweredAt), p(t.AnsweredBy), p(t.Answer))
		late := ""
		if m.Breached {
			late = fmt.Sprintf(" — later than the %s promise", chat.FormatDuration(promise, 4))
		}
		fmt.Fprintf(w, "  first response after %s%s\n", chat.FormatDuration(m.FirstResponse, 2), late)
	} else if m.Breached && t.State.Open() {
		fmt.Fprintf(w, "  waiting %s — past the %s promise\n", chat.FormatDuration(now.Sub(t.CreatedAt), 2), chat.FormatDuration(promise, 4))
	} else if m.Breached {
		fmt.Fprintf(w, "  closed unanswered after %s — past the %s promise\n", chat.FormatDuration(t.ClosedAt.Sub(t.CreatedAt), 2), chat.FormatDuration(promise, 4))
	}
	if !t.ClosedAt.IsZero() {
		fmt.Fprintf(w, "  closed:    %s by %s", ts(t.ClosedAt), p(t.ClosedBy))
		if t.Reason != "" {
			fmt.Fprintf(w, " (%s)", p(t.Reason))
		}
		fmt.Fprintln(w)
	}
	if t.Reopens > 0 {
		fmt.Fprintf(w, "  reopened:  %d times\n", t.Reopens)
	}
	fmt.Fprintf(w, "  askers (%d):\n", max(t.AskerCount, len(t.Askers)))
	for _, as := range t.Askers {
		status := "waiting for the answer"
		switch {
		case !as.DeliveredAt.IsZero():
			status = "answer delivered " + ts(as.DeliveredAt)
		case !as.ExpiredAt.IsZero():
			status = "never came back; gave up " + ts(as.ExpiredAt)
		case t.Answer == "":
			status = "no answer yet"
		}
		// %q escapes what Printable would, and shows where the text ends.
		fmt.Fprintf(w, "    %-20s %s  %q  (%s)\n", p(as.Name()), ts(as.At), as.Text, status)
	}
	if len(t.Context) > 0 {
		fmt.Fprintf(w, "  said before:\n")
		for _, l := range t.Context {
			fmt.Fprintf(w, "    %s  %s\n", ts(l.At), p(l.Text))
		}
	}
}

// exportedTicket is a ticket with its measures, as export writes it.
type exportedTicket struct {
	escalation.Ticket
	FirstResponseSeconds *float64 `json:"first_response_seconds"`
	ResolveSeconds       *float64 `json:"resolve_seconds"`
	SLABreached          bool     `json:"sla_breached"`
}

func exported(chs []ChannelTickets, now time.Time) []exportedTicket {
	out := []exportedTicket{}
	for _, ch := range chs {
		promise := ch.Promise
		for _, t := range ch.Tickets {
			m := escalation.TimesOf(t, promise, now)
			e := exportedTicket{Ticket: t, SLABreached: m.Breached}
			if m.Answered {
				s := m.FirstResponse.Seconds()
				e.FirstResponseSeconds = &s
			}
			if m.Resolved {
				s := m.Resolution.Seconds()
				e.ResolveSeconds = &s
			}
			out = append(out, e)
		}
	}
	return out
}

// WriteTicketsJSON exports the tickets with their measures as one JSON
// array.
func WriteTicketsJSON(w io.Writer, chs []ChannelTickets, now time.Time) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(exported(chs, now))
}

// CSVColumns are the export's columns, one ticket a row.
var CSVColumns = []string{
	"channel", "number", "kind", "source", "state", "text", "askers", "asker_count",
	"created_at", "claimed_by", "first_response_at", "first_response_seconds", "answered_by", "answer",
	"closed_at", "closed_by", "resolve_seconds", "reason", "reopens", "sla_breached",
}

// WriteTicketsCSV exports the tickets with their measures, one row each.
// Every cell passes through CSVCell, so a viewer's text cannot become a
// live formula in the spreadsheet a streamer opens the export in.
func WriteTicketsCSV(w io.Writer, chs []ChannelTickets, now time.Time) error {
	bw := bufio.NewWriter(w)
	if err := writeCSVRow(bw, CSVColumns); err != nil {
		return err
	}
	tm := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	}
	secs := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 0, 64)
	}
	for _, e := range exported(chs, now) {
		var askers []string
		for _, a := range e.Askers {
			askers = append(askers, a.User)
		}
		row := []string{
			e.Channel, strconv.FormatInt(e.Number, 10), string(e.Kind), string(e.Source), string(e.State), e.Text,
			strings.Join(askers, " "), strconv.Itoa(max(e.AskerCount, len(e.Askers))),
			tm(e.CreatedAt), e.ClaimedBy, tm(e.FirstResponseAt), secs(e.FirstResponseSeconds), e.AnsweredBy, e.Answer,
			tm(e.ClosedAt), e.ClosedBy, secs(e.ResolveSeconds), e.Reason, strconv.Itoa(e.Reopens), strconv.FormatBool(e.SLABreached),
		}
		if err := writeCSVRow(bw, row); err != nil {
			return err
		}
	}
	return bw.Flush()
}
