package escalation

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// snippet shortens text to at most n runes, on a word boundary when one is
// near, with an ellipsis.
func snippet(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// quoted is a snippet in quotation marks.
func quoted(text string, n int) string { return "“" + snippet(text, n) + "”" }

// ago says how long a duration is the way chat does, in its largest unit:
// 45s, 14m, 3h, 2d. A negative one (clocks disagreeing) is 0s.
func ago(d time.Duration) string { return chat.FormatDuration(max(d, 0), 1) }

// deliveryReply carries t's answer to askers, threaded under the first
// one's message and naming each, so every asker is notified.
func deliveryReply(t Ticket, askers []Asker, lead string) chat.Reply {
	var b strings.Builder
	budget := chat.MaxMessageRunes - utf8.RuneCountInString(t.Answer) - 60
	for i, a := range askers {
		name := "@" + a.Name() + " "
		if i > 0 && b.Len()+len(name) > budget {
			fmt.Fprintf(&b, "(+%d) ", len(askers)-i)
			break
		}
		b.WriteString(name)
	}
	b.WriteString(lead)
	fmt.Fprintf(&b, "you asked %s (%s): %s — %s", quoted(t.Text, 60), t.Ref(), t.Answer, t.AnsweredBy)
	parent := ""
	if len(askers) > 0 {
		parent = askers[0].MessageID
	}
	return chat.Reply{Text: b.String(), ParentID: parent, Priority: chat.PriorityTicket}
}

// stateLabel is a ticket's state as a moderator wants to see it in a list:
// whose claim it is, and a claim whose lease ran out reads as free.
func stateLabel(t Ticket, now time.Time) string {
	switch {
	case t.State == StateClaimed && now.Before(t.LeaseUntil):
		return "claimed by " + t.ClaimedBy
	case t.State == StateClaimed:
		return "new (" + t.ClaimedBy + "'s claim lapsed)"
	case t.State == StateAnswered && len(t.Owed()) > 0:
		return fmt.Sprintf("answered, %d waiting", len(t.Owed()))
	}
	return string(t.State)
}

// askersLabel is "ana" or "ana +2".
func askersLabel(t Ticket) string {
	if len(t.Askers) == 0 {
		return ""
	}
	s := t.Askers[0].Name()
	if n := max(t.AskerCount, len(t.Askers)); n > 1 {
		s += fmt.Sprintf(" +%d", n-1)
	}
	return s
}

// listLine is one ticket in !tickets: compact, since the whole list must fit
// in one chat message.
func listLine(t Ticket, now time.Time) string {
	state := string(t.State)
	switch {
	case t.State == StateClaimed && now.Before(t.LeaseUntil):
		state = t.ClaimedBy
	case t.State == StateClaimed:
		state = "new"
	}
	kind := ""
	if t.Kind != KindQuestion {
		kind = string(t.Kind) + " "
	}
	return fmt.Sprintf("%s %s%s %s %s %s", t.Ref(), kind, state, ago(now.Sub(t.CreatedAt)), askersLabel(t), quoted(t.Text, 40))
}

// fitList joins items with " · " after head, as many as fit in one chat
// message, and says how many did not.
func fitList(head string, items []string) string {
	var b strings.Builder
	b.WriteString(head)
	for i, it := range items {
		sep := " · "
		if i == 0 {
			sep = " "
		}
		more := fmt.Sprintf(" · +%d more", len(items)-i)
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(sep+it)+utf8.RuneCountInString(more) > chat.MaxMessageRunes && i < len(items)-1 ||
			utf8.RuneCountInString(b.String())+utf8.RuneCountInString(sep+it) > chat.MaxMessageRunes {
			b.WriteString(more)
			break
		}
		b.WriteString(sep + it)
	}
	return b.String()
}

// detail is one ticket in full, as !ticket 42 shows it to a moderator.
func detail(t Ticket, now time.Time) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%s %s · %s · %s ago", t.Ref(), t.Kind, stateLabel(t, now), ago(now.Sub(t.CreatedAt))))
	parts = append(parts, askersLabel(t)+": "+quoted(t.Text, 160))
	if t.Answer != "" {
		parts = append(parts, "answer ("+t.AnsweredBy+"): "+quoted(t.Answer, 120))
	}
	if t.Reason != "" {
		parts = append(parts, "dismissed: "+quoted(t.Reason, 60))
	}
	if len(t.Context) > 0 {
		var lines []string
		for _, l := range t.Context {
			lines = append(lines, quoted(l.Text, 50))
		}
		parts = append(parts, "before: "+strings.Join(lines, " "))
	}
	return snippet(strings.Join(parts, " · "), chat.MaxMessageRunes)
}
