package escalation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Commands returns the desk's chat commands: !ask, !report, !suggest and
// !ticket for everyone; !tickets, !claim, !answer, !resolve, !dismiss,
// !reopen and !learn for moderators.
func (d *Desk) Commands() []chat.Command {
	cmds := []chat.Command{
		{Name: "ask", Usage: "!ask <question>", Run: d.cmdAsk},
		{Name: "report", Usage: "!report <what happened>", Run: d.cmdReport},
		{Name: "suggest", Usage: "!suggest <idea>", Run: d.cmdSuggest},
		{Name: "ticket", Usage: "!ticket", Run: d.cmdTicket},
		{Name: "tickets", Usage: "!tickets", Privileged: true, Run: d.cmdTickets},
		{Name: "claim", Usage: "!claim <n>", Privileged: true, Run: d.cmdClaim},
		{Name: "answer", Usage: "!answer <n> <text>", Privileged: true, Run: d.cmdAnswer},
		{Name: "resolve", Usage: "!resolve <n>", Privileged: true, Run: d.cmdResolve},
		{Name: "dismiss", Usage: "!dismiss <n> <reason>", Privileged: true, Run: d.cmdDismiss},
		{Name: "reopen", Usage: "!reopen <n>", Privileged: true, Run: d.cmdReopen},
		{Name: "suggestions", Usage: "!suggestions", Privileged: true, Run: d.cmdSuggestions},
	}
	if d.learner != nil {
		cmds = append(cmds, chat.Command{Name: "learn", Usage: "!learn <n>", Privileged: true, Run: d.cmdLearn})
	}
	return cmds
}

// say is a command's threaded reply. To a viewer it is owed like their
// acknowledgement (what !ticket says is how a viewer whose acknowledgement
// never went out learns the number), so it shares that priority and never
// goes stale; the router puts a moderator's above everything viewers get.
func say(msg chat.Message, ticket, text string) chat.Decision {
	return chat.Decision{
		Action:  chat.ActionCommand,
		Ticket:  ticket,
		Replies: []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityAck}},
	}
}

// parseNumber reads "42" or "#42" at the start of args.
func parseNumber(args string) (int64, string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	n, err := strconv.ParseInt(strings.TrimPrefix(first, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, "", false
	}
	return n, strings.TrimSpace(rest), true
}

// trouble is the reply when the store fails: the detail goes to the log,
// never to chat.
func (d *Desk) trouble(msg chat.Message, what string, err error) chat.Decision {
	if errors.Is(err, ErrUnavailable) {
		d.log.Warn(what, "user", msg.User, "err", err)
		return say(msg, "", "the ticket queue is unreachable right now — try again in a minute")
	}
	d.log.Error(what, "user", msg.User, "err", err)
	return say(msg, "", "something went wrong with the ticket queue — the bot's log says what")
}

// refusal explains a refused transition in moderator terms.
func (d *Desk) refusal(msg chat.Message, n int64, what string, err error) chat.Decision {
	ref := "#" + strconv.FormatInt(n, 10)
	var te *TransitionError
	switch {
	case errors.Is(err, ErrNotFound):
		return say(msg, "", "there is no ticket "+ref)
	case errors.Is(err, ErrClaimed) && errors.As(err, &te):
		left := te.Ticket.LeaseUntil.Sub(d.at(msg)).Round(time.Second)
		return say(msg, ref, fmt.Sprintf("%s is claimed by %s (%s left on the claim)", ref, te.Ticket.ClaimedBy, ago(left)))
	case errors.Is(err, ErrState) && errors.As(err, &te):
		hint := ""
		switch te.Ticket.State {
		case StateResolved:
			hint = " — !reopen " + strconv.FormatInt(n, 10) + " first"
		case StateAnswered:
			hint = " already"
		}
		return say(msg, ref, fmt.Sprintf("can't %s %s: it is %s%s", what, ref, te.Ticket.State, hint))
	case errors.Is(err, ErrStale):
		return say(msg, ref, ref+" changed meanwhile — look again with !ticket "+strconv.FormatInt(n, 10))
	}
	return d.trouble(msg, what+" ticket", err)
}

// op is a moderator's operation on ticket n, identified by their message.
func (d *Desk) op(msg chat.Message, n int64) Op {
	return Op{Channel: d.channel, Number: n, By: msg.User, ID: opID(msg), At: d.at(msg)}
}

func (d *Desk) cmdAsk(ctx context.Context, msg chat.Message, args string) chat.Decision {
	if args == "" {
		return say(msg, "", "ask like this: !ask <your question> — a moderator will answer")
	}
	f, err := d.file(ctx, msg, KindQuestion, SourceAsk, args, nil)
	if err != nil {
		return d.trouble(msg, "file ticket", err)
	}
	return d.filedReply(ctx, msg, f, "got it — a moderator will answer")
}

func (d *Desk) cmdReport(ctx context.Context, msg chat.Message, args string) chat.Decision {
	if args == "" {
		return say(msg, "", "report like this: !report <what happened> — only moderators see it")
	}
	f, err := d.file(ctx, msg, KindComplaint, SourceReport, args, nil)
	if err != nil {
		return d.trouble(msg, "file report", err)
	}
	return d.filedReply(ctx, msg, f, "thanks — the moderators have your report")
}

func (d *Desk) cmdSuggest(ctx context.Context, msg chat.Message, args string) chat.Decision {
	if args == "" {
		return say(msg, "", "suggest like this: !suggest <your idea>")
	}
	return d.suggest(ctx, msg, args)
}

// filedReply answers a viewer's !ask, !report or !suggest.
func (d *Desk) filedReply(ctx context.Context, msg chat.Message, f filed, lead string) chat.Decision {
	switch {
	case f.Capped != nil:
		sort.Slice(f.Capped, func(i, j int) bool { return f.Capped[i] < f.Capped[j] })
		var refs []string
		for _, n := range f.Capped {
			refs = append(refs, "#"+strconv.FormatInt(n, 10))
		}
		return say(msg, "", fmt.Sprintf("you have %d open tickets already (%s) — a moderator will get to them", len(refs), strings.Join(refs, ", ")))
	case f.Already:
		return d.withAction(say(msg, f.Ticket.Ref(), "you're on ticket "+f.Ticket.Ref()+" already — !ticket shows how it's going"))
	case f.Joined && f.Ticket.Answer != "":
		// Asked what is answered already: the answer, now.
		if replies, reached, _ := d.deliver(ctx, f.Ticket, d.at(msg)); len(reached) > 0 {
			return chat.Decision{Action: chat.ActionEscalate, Ticket: f.Ticket.Ref(), Note: "joined", Replies: replies}
		}
		fallthrough
	case f.Joined:
		n := max(f.Ticket.AskerCount, len(f.Ticket.Askers))
		return d.ack(msg, f, fmt.Sprintf("+1 — %d viewers asked that, a moderator will answer", n))
	}
	return d.ack(msg, f, lead)
}

func (d *Desk) withAction(dec chat.Decision) chat.Decision {
	dec.Action = chat.ActionEscalate
	return dec
}

// cmdTicket: a moderator's !ticket 42 shows the ticket; a viewer's !ticket
// shows their own tickets (and !ticket 42 only if it is theirs).
func (d *Desk) cmdTicket(ctx context.Context, msg chat.Message, args string) chat.Decision {
	now := d.at(msg)
	n, _, hasNumber := parseNumber(args)
	if msg.Roles.Privileged() && hasNumber {
		t, err := d.store.Get(ctx, d.channel, n)
		if err != nil {
			return d.refusal(msg, n, "show", err)
		}
		return say(msg, t.Ref(), detail(t, now))
	}
	if hasNumber {
		t, err := d.store.Get(ctx, d.channel, n)
		if _, mine := t.Asker(msg.User); err != nil || !mine {
			return say(msg, "", "#"+strconv.FormatInt(n, 10)+" isn't one of your tickets — !ticket lists yours")
		}
		return say(msg, t.Ref(), d.status(t, now))
	}
	all, err := d.store.List(ctx, d.channel, Filter{})
	if err != nil {
		return d.trouble(msg, "list tickets", err)
	}
	var mine []string
	var refs []string
	for i := len(all) - 1; i >= 0 && len(mine) < 5; i-- {
		t := all[i]
		if _, ok := t.Asker(msg.User); !ok {
			continue
		}
		if !t.State.Open() && now.Sub(t.UpdatedAt) > d.set.DeliveryExpiry {
			continue
		}
		mine = append(mine, d.status(t, now))
		refs = append(refs, t.Ref())
	}
	if len(mine) == 0 {
		return say(msg, "", "you have no open tickets — !ask <question> asks a moderator")
	}
	return say(msg, strings.Join(refs, ","), snippet(strings.Join(mine, " · "), chat.MaxMessageRunes))
}

// status is a ticket as its asker sees it.
func (d *Desk) status(t Ticket, now time.Time) string {
	var s string
	switch {
	case t.State == StateNew || t.State == StateClaimed && !now.Before(t.LeaseUntil):
		s = "waiting for a moderator"
	case t.State == StateClaimed:
		s = t.ClaimedBy + " is on it"
	case t.State == StateAnswered || t.State == StateResolved && t.Answer != "":
		s = t.AnsweredBy + " answered: " + quoted(t.Answer, 200)
	case t.State == StateResolved:
		s = "resolved"
	case t.State == StateDismissed:
		s = "closed by the moderators"
	}
	return fmt.Sprintf("%s %s: %s (%s ago)", t.Ref(), quoted(t.Text, 50), s, ago(now.Sub(t.CreatedAt)))
}

func (d *Desk) cmdTickets(ctx context.Context, msg chat.Message, _ string) chat.Decision {
	open, err := d.store.List(ctx, d.channel, Filter{Open: true})
	if err != nil {
		return d.trouble(msg, "list tickets", err)
	}
	d.mu.Lock()
	d.open = make(map[int64]openTicket, len(open))
	for _, t := range open {
		d.open[t.Number] = d.openOf(t)
	}
	d.mu.Unlock()
	if len(open) == 0 {
		return say(msg, "", "no open tickets 🎉")
	}
	now := d.at(msg)
	items := make([]string, len(open))
	for i, t := range open {
		items[i] = listLine(t, now)
	}
	return say(msg, "", fitList(fmt.Sprintf("%d open, oldest first:", len(open)), items))
}

func (d *Desk) cmdClaim(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, _, ok := parseNumber(args)
	if !ok {
		return say(msg, "", "usage: !claim <ticket number>")
	}
	t, err := d.store.Claim(ctx, d.op(msg, n), d.set.ClaimLease)
	if err != nil {
		d.track(t)
		return d.refusal(msg, n, "claim", err)
	}
	d.track(t)
	d.log.Info("ticket claimed", "ticket", t.Ref(), "user", msg.User)
	return say(msg, t.Ref(), fmt.Sprintf("%s is yours for %s — %s asked %s", t.Ref(), chat.FormatDuration(d.set.ClaimLease, 4), askersLabel(t), quoted(t.Text, 200)))
}

func (d *Desk) cmdAnswer(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, text, ok := parseNumber(args)
	if !ok || text == "" {
		return say(msg, "", "usage: !answer <ticket number> <your answer>")
	}
	t, err := d.store.Answer(ctx, d.op(msg, n), text)
	if err != nil {
		d.track(t)
		return d.refusal(msg, n, "answer", err)
	}
	d.track(t)
	d.log.Info("ticket answered", "ticket", t.Ref(), "user", msg.User)
	replies, reached, waiting := d.deliver(ctx, t, d.at(msg))
	var note []string
	if len(reached) > 0 {
		note = append(note, "delivered to "+strings.Join(reached, ", "))
	}
	if len(waiting) > 0 {
		note = append(note, strings.Join(waiting, ", ")+" will get it when they're back in chat")
	}
	confirm := t.Ref() + " answered"
	if len(note) > 0 {
		confirm += " — " + strings.Join(note, "; ")
	}
	confirm += " · !resolve " + strconv.FormatInt(n, 10) + " when done"
	if d.learner != nil {
		confirm += ", !learn " + strconv.FormatInt(n, 10) + " to add it to the FAQ"
	}
	dec := say(msg, t.Ref(), snippet(confirm, chat.MaxMessageRunes))
	dec.Replies = append(replies, dec.Replies...)
	return dec
}

func (d *Desk) cmdResolve(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, _, ok := parseNumber(args)
	if !ok {
		return say(msg, "", "usage: !resolve <ticket number>")
	}
	t, err := d.store.Resolve(ctx, d.op(msg, n))
	d.track(t)
	if err != nil {
		return d.refusal(msg, n, "resolve", err)
	}
	return say(msg, t.Ref(), t.Ref()+" resolved ✓")
}

func (d *Desk) cmdDismiss(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, reason, ok := parseNumber(args)
	if !ok || reason == "" {
		return say(msg, "", "usage: !dismiss <ticket number> <reason>")
	}
	t, err := d.store.Dismiss(ctx, d.op(msg, n), reason)
	d.track(t)
	if err != nil {
		return d.refusal(msg, n, "dismiss", err)
	}
	return say(msg, t.Ref(), t.Ref()+" dismissed ("+snippet(reason, 100)+")")
}

func (d *Desk) cmdReopen(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, _, ok := parseNumber(args)
	if !ok {
		return say(msg, "", "usage: !reopen <ticket number>")
	}
	t, err := d.store.Reopen(ctx, d.op(msg, n))
	d.track(t)
	if err != nil {
		return d.refusal(msg, n, "reopen", err)
	}
	return say(msg, t.Ref(), t.Ref()+" is open again — "+quoted(t.Text, 200))
}

func (d *Desk) cmdLearn(ctx context.Context, msg chat.Message, args string) chat.Decision {
	n, _, ok := parseNumber(args)
	if !ok {
		return say(msg, "", "usage: !learn <ticket number>")
	}
	t, err := d.store.Get(ctx, d.channel, n)
	if err != nil {
		return d.refusal(msg, n, "learn", err)
	}
	if t.Kind != KindQuestion || t.Answer == "" || t.State == StateDismissed {
		return say(msg, t.Ref(), t.Ref()+" has no answer to learn — !answer "+strconv.FormatInt(n, 10)+" <text> first")
	}
	note := fmt.Sprintf("from ticket %s in #%s, learned by %s on %s", t.Ref(), t.Channel, msg.User, d.at(msg).UTC().Format("2006-01-02"))
	id, added, err := d.learner.Learn(ctx, "learned-"+strconv.FormatInt(t.Number, 10), d.questionsOf(t), t.Answer, note)
	if err == nil && len(added) == 0 {
		err = ErrKnown
	}
	switch {
	case errors.Is(err, ErrKnown):
		return say(msg, t.Ref(), "the FAQ already has "+t.Ref()+"'s question — nothing to add")
	case faqBroken(err):
		d.log.Error("learn ticket: the faq does not load", "ticket", t.Ref(), "user", msg.User, "err", err)
		return say(msg, t.Ref(), "couldn't add "+t.Ref()+": the FAQ files do not load as they are (the bot's log says which line) — fix them, then !learn "+strconv.FormatInt(n, 10)+" again")
	case err != nil:
		d.log.Error("learn ticket", "ticket", t.Ref(), "user", msg.User, "err", err)
		return say(msg, t.Ref(), "couldn't add "+t.Ref()+" to the FAQ — the bot's log says why")
	}
	d.log.Info("ticket learned", "ticket", t.Ref(), "user", msg.User, "faq", id, "questions", len(added))
	dec := say(msg, t.Ref(), fmt.Sprintf("learned ✓ — I'll answer %s myself from now on (FAQ entry %q)", quoted(t.Text, 80), id))
	dec.FAQ = id
	return dec
}

// faqBroken reports whether a Learner's error says the FAQ does not load.
func faqBroken(err error) bool {
	var b interface{ FAQBroken() bool }
	return errors.As(err, &b) && b.FAQBroken()
}

// questionsOf are the wordings viewers used for t: the ticket's text and
// each asker's, without @-mentions of the bot or the streamer.
func (d *Desk) questionsOf(t Ticket) []string {
	var out []string
	add := func(q string) {
		q = d.stripNames(q)
		if q == "" {
			return
		}
		for _, x := range out {
			if strings.EqualFold(strings.Join(strings.Fields(x), " "), strings.Join(strings.Fields(q), " ")) {
				return
			}
		}
		out = append(out, q)
	}
	add(t.Text)
	for _, a := range t.Askers {
		add(a.Text)
	}
	return out
}

// stripNames drops @-mentions of the bot or the streamer, and a leading
// "name," or "name:", which address the question rather than ask it.
func (d *Desk) stripNames(q string) string {
	words := strings.Fields(q)
	var kept []string
	for i, w := range words {
		bare := strings.ToLower(strings.TrimRight(strings.TrimLeft(w, "@"), ",:"))
		if contains(d.names, bare) && (strings.HasPrefix(w, "@") || i == 0) {
			continue
		}
		kept = append(kept, w)
	}
	return strings.TrimSpace(strings.Join(kept, " "))
}
