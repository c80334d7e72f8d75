package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// slowLookup is a Get Users that answers only once released, and counts
// its calls and the ids asked for.
type slowLookup struct {
	release chan struct{}
	created map[string]time.Time
	fail    bool

	mu    sync.Mutex
	calls [][]string
}

func (l *slowLookup) AccountsCreated(ctx context.Context, ids []string) (map[string]time.Time, error) {
	l.mu.Lock()
	l.calls = append(l.calls, append([]string(nil), ids...))
	l.mu.Unlock()
	select {
	case <-l.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.fail {
		return nil, errors.New("helix is down")
	}
	out := map[string]time.Time{}
	for _, id := range ids {
		if t, ok := l.created[id]; ok {
			out[id] = t
		}
	}
	return out, nil
}

func (l *slowLookup) asked() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]string(nil), l.calls...)
}

// lateRecorder is a LateSink that keeps what it is given.
type lateRecorder struct {
	mu  sync.Mutex
	got []chat.Decision
}

func (r *lateRecorder) Deliver(_ context.Context, _ chat.Message, d chat.Decision) error {
	r.mu.Lock()
	r.got = append(r.got, d)
	r.mu.Unlock()
	return nil
}

func (r *lateRecorder) decisions() []chat.Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Decision(nil), r.got...)
}

const baitText = "add me on discord: night_owl_77"

func firstMsg(user, text string) chat.Message {
	return chat.Message{ID: "m-" + user, User: user, UserID: "id-" + user, First: true, Text: text}
}

// TestYoungAccountActedOnAgain: a first message that matches a family is
// judged on its text at once (delete) while its author's age is looked
// up; chat goes on while Get Users is slow; when the age arrives and the
// account is days old, the offence climbs to the young step (timeout 10m)
// and the sink carries it out. An old account's message is left at its
// text's penalty.
func TestYoungAccountActedOnAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClock()
		lookup := &slowLookup{release: make(chan struct{}), created: map[string]time.Time{
			"id-newbot": c.t.Add(-2 * 24 * time.Hour),
			"id-oldfan": c.t.Add(-3 * 365 * 24 * time.Hour),
		}}
		ages := NewAccountAges(nil)
		ages.Use(lookup)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- ages.Run(ctx) }()
		late := &lateRecorder{}
		e := newEngine(t, DefaultSettings(), c)
		e.Attach(ages, late)

		v := e.Check(firstMsg("newbot", baitText))
		if v.Rule != RuleSpamBots || v.Step.String() != "delete" {
			t.Fatalf("on its text: %s %s; want spam_bots delete at once", v.Rule, v.Step)
		}
		c.advance(time.Second)
		v = e.Check(firstMsg("oldfan", "add me on discord: sunny_day_42"))
		if v.Step.String() != "delete" {
			t.Fatalf("second first message: %s; want delete", v.Step)
		}
		// The lookup is still out: chat goes on.
		synctest.Wait()
		if v := e.Check(chat.Message{User: "ann", Text: "what's the discord?"}); v.Broke() {
			t.Fatalf("honest line while Get Users is slow: %s", v.Rule)
		}
		if got := late.decisions(); len(got) != 0 {
			t.Fatalf("acted before the age arrived: %+v", got)
		}
		// A slow answer: the escalation is still the same offence.
		c.advance(time.Minute)
		close(lookup.release)
		synctest.Wait()
		got := late.decisions()
		if len(got) != 1 {
			t.Fatalf("late decisions %+v; want one, for the young account", got)
		}
		d := got[0]
		if d.Rule != RuleSpamBots || d.Penalty != "timeout 10m" || len(d.Enforcements) != 1 || d.Enforcements[0].Kind != chat.PenaltyTimeout {
			t.Errorf("late decision %+v; want spam_bots timeout 10m", d)
		}
		if r := d.Enforcements[0].Reason; !strings.Contains(r, "handle bait") || !strings.Contains(r, "account 48h old") {
			t.Errorf("reason %q; want the family and the account's age", r)
		}
		if d.Enforcements[0].UserID != "id-newbot" {
			t.Errorf("late decision aimed at %q; want id-newbot", d.Enforcements[0].UserID)
		}
		calls := lookup.asked()
		if n := len(calls); n < 1 || n > 2 {
			t.Errorf("%d Get Users calls for two accounts: %v", n, calls)
		}

		// Known now: the same account's first message elsewhere (another
		// channel's engine sharing the ages) escalates at once, with no
		// call.
		e2 := newEngine(t, DefaultSettings(), c)
		e2.Attach(ages, late)
		v = e2.Check(firstMsg("newbot", baitText))
		if v.Step.String() != "timeout 10m" || !strings.Contains(v.Detail, "account 48h old") {
			t.Errorf("known young account: %s %q; want timeout 10m naming its age", v.Step, v.Detail)
		}
		synctest.Wait()
		if len(lookup.asked()) != len(calls) {
			t.Errorf("a known age was looked up again: %v", lookup.asked())
		}
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// TestAccountAgesOnlyWhenItMatters: ages are looked up only for a first
// message that matched a family, never for a returning chatter, a
// regular line or an honest first message; a failed lookup leaves the
// text's penalty and is asked again next time.
func TestAccountAgesOnlyWhenItMatters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClock()
		lookup := &slowLookup{release: make(chan struct{}), fail: true}
		close(lookup.release)
		ages := NewAccountAges(nil)
		ages.Use(lookup)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go ages.Run(ctx)
		late := &lateRecorder{}
		e := newEngine(t, DefaultSettings(), c)
		e.Attach(ages, late)
		returning := firstMsg("back", baitText)
		returning.Returning = true
		for _, m := range []chat.Message{
			returning,
			{User: "reg", UserID: "id-reg", Text: baitText},
			firstMsg("hello", "hi chat, first time here! what's the discord?"),
		} {
			c.advance(time.Minute)
			e.Check(m)
		}
		synctest.Wait()
		if calls := lookup.asked(); len(calls) != 0 {
			t.Fatalf("looked up %v; want no lookups", calls)
		}
		for range 2 {
			c.advance(time.Minute)
			e.Check(firstMsg("bot"+fmt.Sprint(c.t.Minute()), baitText))
			synctest.Wait()
		}
		if calls := lookup.asked(); len(calls) != 2 {
			t.Errorf("lookups %v; want one per matching first message", calls)
		}
		if got := late.decisions(); len(got) != 0 {
			t.Errorf("acted on a failed lookup: %+v", got)
		}
	})
}

// TestAccountAgesNeverBlock: with nobody working the queue, requests past
// its size are dropped and Check still returns.
func TestAccountAgesNeverBlock(t *testing.T) {
	c := newClock()
	ages := NewAccountAges(nil)
	ages.Use(&slowLookup{release: make(chan struct{})})
	// Every message here is the same bait: a wave, but not this test's.
	e := newEngine(t, switched(false, RuleSpamWave), c)
	e.Attach(ages, &lateRecorder{})
	for i := range ageQueue + 50 {
		c.advance(time.Second)
		if v := e.Check(firstMsg(fmt.Sprint("bot", i), baitText)); v.Step.String() != "delete" {
			t.Fatalf("message %d: %s", i, v.Step)
		}
	}
	if len(e.pending) > maxPending {
		t.Errorf("%d first messages waiting; want at most %d", len(e.pending), maxPending)
	}
}

// TestYoungSettingsChecked: the young options are checked like the rest.
func TestYoungSettingsChecked(t *testing.T) {
	s := DefaultSettings()
	sb := s.Rules[RuleSpamBots]
	sb.YoungSeverity = 9
	s.Rules[RuleSpamBots] = sb
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "rules.spam_bots.young_severity") {
		t.Errorf("young_severity past the ladder: %v", err)
	}
	sb.YoungAccount, sb.YoungSeverity = -time.Hour, 5
	s.Rules[RuleSpamBots] = sb
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "rules.spam_bots.young_account") {
		t.Errorf("negative young_account: %v", err)
	}
}
