// Package report turns what a channel's stages recorded — the event log and
// the tickets — into the stream report: what was asked and answered, what
// the FAQ should learn next, how fast moderators answered, what viewers
// thought of the answers and which rules fired. It computes from values and
// renders Markdown or one self-contained HTML file; it reads no store.
package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// Options say what to report on.
type Options struct {
	Channel string
	// From and To bound the report; events and tickets outside are left
	// out.
	From, To time.Time
	// FirstResponse is the SLA promise; zero means no SLA to breach.
	FirstResponse time.Duration
	// Names are the bot's and the streamer's logins, ignored when grouping
	// questions.
	Names []string
	// Top caps the lists (entries, question groups); zero means 10.
	Top int
}

// Count is a name and how often.
type Count struct {
	Name string
	N    int
}

// Durations summarises how long something took: the count, the median
// and the 90th percentile, as escalation.Measure computes them.
type Durations = escalation.Durations

// Satisfaction is what viewers said about one entry's answers.
type Satisfaction struct {
	FAQ            string
	Answers        int
	Helpful, Wrong int
}

// RuleActions is what one moderation rule did, and how often a moderator
// took it back: many pardons hint at false positives.
type RuleActions struct {
	Rule    string
	Actions int
	Shadow  int
	Pardons int
	// Steps counts the actions per ladder step ("warn", "timeout 60s").
	Steps []Count
}

// Bucket is one slice of the stream for the timeline.
type Bucket struct {
	Start                       time.Time
	Answered, Escalated, Missed int
}

// Report is the stream report.
type Report struct {
	Channel  string
	From, To time.Time

	Messages, Questions         int
	Answered, Escalated, Missed int
	// TopEntries are the FAQ entries that answered most.
	TopEntries []Count
	// Unanswered are missed questions grouped by similarity, most asked
	// first: what to add to the FAQ next.
	Unanswered []escalation.Group

	// The ticket measures are escalation.Measure's, as `bot tickets`
	// shows them too: Tickets and TicketsByKind count every kind; Resolved,
	// ResolutionRate, the times and the breaches count the kinds that owe
	// an answer (escalation.Kind.Answerable), so suggestions are left out.
	Tickets        int
	TicketsByKind  []Count
	Resolved       int
	ResolutionRate float64
	FirstResponse  Durations
	Resolution     Durations
	SLA            time.Duration
	SLABreaches    int
	// ResponseTimes are the first-response times, for the distribution.
	ResponseTimes []time.Duration

	Satisfaction []Satisfaction
	Moderation   []RuleActions

	BucketSize time.Duration
	Timeline   []Bucket
}

// Build computes the report from a channel's events and tickets.
func Build(o Options, events []escalation.Event, tickets []escalation.Ticket) Report {
	if o.Top <= 0 {
		o.Top = 10
	}
	r := Report{Channel: o.Channel, From: o.From, To: o.To, SLA: o.FirstResponse}
	r.BucketSize = bucketSize(o.To.Sub(o.From))
	n := int(o.To.Sub(o.From)/r.BucketSize) + 1
	if o.To.Sub(o.From)%r.BucketSize == 0 {
		n--
	}
	for i := range max(n, 1) {
		r.Timeline = append(r.Timeline, Bucket{Start: o.From.Add(time.Duration(i) * r.BucketSize)})
	}
	bucket := func(at time.Time) *Bucket {
		i := int(at.Sub(o.From) / r.BucketSize)
		return &r.Timeline[min(max(i, 0), len(r.Timeline)-1)]
	}

	entries := map[string]int{}
	sat := map[string]*Satisfaction{}
	satOf := func(faq string) *Satisfaction {
		if sat[faq] == nil {
			sat[faq] = &Satisfaction{FAQ: faq}
		}
		return sat[faq]
	}
	rules := map[string]*RuleActions{}
	ruleOf := func(name string) *RuleActions {
		if rules[name] == nil {
			rules[name] = &RuleActions{Rule: name}
		}
		return rules[name]
	}
	steps := map[string]map[string]int{}
	var missed []string
	for _, e := range events {
		if e.At.Before(o.From) || !e.At.Before(o.To) {
			continue
		}
		switch e.Kind {
		case escalation.EventMessage:
			r.Messages += e.Messages()
		case escalation.EventAnswered:
			r.Answered++
			entries[e.FAQ]++
			satOf(e.FAQ).Answers++
			bucket(e.At).Answered++
		case escalation.EventEscalated:
			r.Escalated++
			bucket(e.At).Escalated++
		case escalation.EventMissed:
			r.Missed++
			missed = append(missed, e.Text)
			bucket(e.At).Missed++
		case escalation.EventFeedback:
			switch e.Verdict {
			case escalation.VerdictHelpful:
				satOf(e.FAQ).Helpful++
			case escalation.VerdictWrong:
				satOf(e.FAQ).Wrong++
			}
		case escalation.EventModerated:
			ra := ruleOf(e.Rule)
			if e.Shadow {
				ra.Shadow++
				continue
			}
			ra.Actions++
			if steps[e.Rule] == nil {
				steps[e.Rule] = map[string]int{}
			}
			steps[e.Rule][e.Step]++
		case escalation.EventPardoned:
			ruleOf(e.Rule).Pardons++
		}
	}
	r.Questions = r.Answered + r.Escalated + r.Missed
	r.TopEntries = top(entries, o.Top)

	groups := escalation.GroupSimilar(missed, o.Names)
	slices.SortStableFunc(groups, func(a, b escalation.Group) int { return cmp.Compare(b.Count, a.Count) })
	r.Unanswered = groups[:min(len(groups), o.Top)]

	for _, s := range sat {
		r.Satisfaction = append(r.Satisfaction, *s)
	}
	slices.SortFunc(r.Satisfaction, func(a, b Satisfaction) int {
		return cmp.Or(cmp.Compare(b.Answers, a.Answers), cmp.Compare(a.FAQ, b.FAQ))
	})
	for name, ra := range rules {
		ra.Steps = top(steps[name], 0)
		r.Moderation = append(r.Moderation, *ra)
	}
	slices.SortFunc(r.Moderation, func(a, b RuleActions) int {
		return cmp.Or(cmp.Compare(b.Actions+b.Shadow, a.Actions+a.Shadow), cmp.Compare(a.Rule, b.Rule))
	})

	r.tickets(tickets, o)
	return r
}

// tickets fills in the ticket measures: escalation.Measure, over the
// tickets filed in the window, as of its end.
func (r *Report) tickets(tickets []escalation.Ticket, o Options) {
	kinds := map[string]int{}
	var in []escalation.Ticket
	for _, t := range tickets {
		if t.CreatedAt.Before(o.From) || !t.CreatedAt.Before(o.To) {
			continue
		}
		in = append(in, t)
		kinds[string(t.Kind)]++
	}
	m := escalation.Measure(in, o.FirstResponse, o.To)
	r.Tickets = m.Tickets
	r.TicketsByKind = top(kinds, 0)
	r.Resolved = m.AnswerableResolved
	r.ResolutionRate = m.ResolutionRate()
	r.FirstResponse = m.FirstResponse
	r.Resolution = m.Resolution
	r.SLABreaches = m.Breaches
	r.ResponseTimes = m.FirstResponses
}

// top sorts counts, most first, names breaking ties; n caps them (0: all).
func top(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Name, b.Name)) })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// bucketSize picks a timeline step that gives a readable number of bars.
func bucketSize(span time.Duration) time.Duration {
	for _, s := range []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if span/s <= 48 {
			return s
		}
	}
	return 7 * 24 * time.Hour
}
