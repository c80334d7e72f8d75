package escalation

import (
	"context"
	"fmt"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// DefaultTick is how often a desk's loop looks at its queue.
const DefaultTick = 30 * time.Second

// Tick is one turn of the desk's loop at the given time: it re-reads the open
// tickets and owed answers (another bot instance may have changed them),
// gives up on answers whose viewer did not come back in time, and returns a
// reminder for the moderators when tickets wait past the first-response
// promise. The zero Decision means nothing to post.
func (d *Desk) Tick(ctx context.Context, now time.Time) (chat.Decision, error) {
	open, err := d.store.List(ctx, d.channel, Filter{Open: true})
	if err != nil {
		return chat.Decision{}, err
	}
	users, err := d.store.OwedUsers(ctx, d.channel)
	if err != nil {
		return chat.Decision{}, err
	}
	d.mu.Lock()
	d.open = make(map[int64]openTicket, len(open))
	for _, t := range open {
		d.open[t.Number] = d.openOf(t)
	}
	d.owed = make(map[string]bool, len(users))
	for _, u := range users {
		d.owed[u] = true
	}
	d.mu.Unlock()
	d.expireOwed(ctx, users, now)
	return d.remind(ctx, open, now)
}

// expireOwed stops waiting for viewers who have not come back within the
// delivery expiry, so the owed list does not grow for ever.
func (d *Desk) expireOwed(ctx context.Context, users []string, now time.Time) {
	for _, u := range users {
		ts, err := d.store.Owed(ctx, d.channel, u)
		if err != nil {
			d.log.Warn("look up answers owed", "user", u, "err", err)
			return
		}
		left := 0
		for _, t := range ts {
			if !d.isOver(t, now) {
				left++
				continue
			}
			if _, err := d.store.Expire(ctx, Op{Channel: d.channel, Number: t.Number, At: now}, u); err != nil {
				d.log.Warn("expire owed answer", "ticket", t.Ref(), "user", u, "err", err)
				left++
			}
		}
		if left == 0 {
			d.mu.Lock()
			delete(d.owed, u)
			d.mu.Unlock()
		}
	}
}

// waiting reports whether t still waits for a moderator's first word, and
// since when. Only the kinds that owe an answer wait for one.
func waiting(t Ticket, now time.Time) (time.Time, bool) {
	free := t.State == StateNew || t.State == StateClaimed && !now.Before(t.LeaseUntil)
	if !free || !t.Kind.Answerable() {
		return time.Time{}, false
	}
	if t.Reopens > 0 {
		// A reopened ticket waits since it was reopened, which is its
		// last change while it is new.
		return t.UpdatedAt, true
	}
	return t.CreatedAt, true
}

// remind returns one message listing the tickets past the promise. The
// store records each reminder, so of several bot instances only one sends
// it, and one ticket is not named more often than RemindEvery.
func (d *Desk) remind(ctx context.Context, open []Ticket, now time.Time) (chat.Decision, error) {
	if d.set.FirstResponse <= 0 {
		return chat.Decision{}, nil
	}
	d.mu.Lock()
	quiet := !d.lastReminder.IsZero() && now.Sub(d.lastReminder) < d.set.RemindEvery
	d.mu.Unlock()
	if quiet {
		return chat.Decision{}, nil
	}
	var items, refs []string
	for _, t := range open {
		since, ok := waiting(t, now)
		if !ok || now.Sub(since) < d.set.FirstResponse {
			continue
		}
		send, err := d.store.Remind(ctx, Op{Channel: d.channel, Number: t.Number, At: now}, d.set.RemindEvery)
		if err != nil {
			return chat.Decision{}, err
		}
		if !send {
			continue
		}
		items = append(items, fmt.Sprintf("%s %s %s", t.Ref(), ago(now.Sub(since)), quoted(t.Text, 40)))
		refs = append(refs, t.Ref())
	}
	if len(items) == 0 {
		return chat.Decision{}, nil
	}
	d.mu.Lock()
	d.lastReminder = now
	d.mu.Unlock()
	d.log.Info("sla reminder", "tickets", len(items))
	// The promise as configured, to the second: "over 1h30m", not "over 2h".
	promise := chat.FormatDuration(d.set.FirstResponse, 4)
	head := fmt.Sprintf("⏰ moderators: %d waiting over %s —", len(items), promise)
	if len(items) == 1 {
		head = fmt.Sprintf("⏰ moderators: 1 ticket waiting over %s —", promise)
	}
	text := fitList(head, append(items, "!claim <n>"))
	return chat.Decision{
		Action:  chat.ActionEscalate,
		Note:    "sla reminder",
		Ticket:  fmt.Sprint(refs),
		Replies: []chat.Reply{{Text: text, Priority: chat.PriorityTicket}},
	}, nil
}

// Run is the desk's loop: it loads the queue, then ticks every interval until
// ctx is done, posting reminders through sink. A store that is away is
// logged and tried again next tick; the loop never gives up on it.
func (d *Desk) Run(ctx context.Context, sink Sink, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultTick
	}
	if err := d.Load(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("load ticket queue; retrying each tick", "err", err)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			dec, err := d.Tick(ctx, d.now())
			if err != nil {
				if ctx.Err() == nil {
					d.log.Warn("ticket queue tick", "err", err)
				}
				continue
			}
			if len(dec.Replies) == 0 {
				continue
			}
			if err := sink.Deliver(ctx, chat.Message{Channel: d.channel}, dec); err != nil {
				d.log.Warn("post sla reminder", "err", err)
			}
		}
	}
}
