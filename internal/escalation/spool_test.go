package escalation_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// flaky is a store whose filing and ping fail as if its server were gone.
type flaky struct {
	escalation.Store
	down atomic.Bool
}

var errGone = fmt.Errorf("dial tcp 127.0.0.1:6379: connection refused: %w", escalation.ErrUnavailable)

func (f *flaky) Create(ctx context.Context, n escalation.NewTicket) (escalation.Ticket, bool, error) {
	if f.down.Load() {
		return escalation.Ticket{}, false, errGone
	}
	return f.Store.Create(ctx, n)
}

func (f *flaky) Ping(context.Context) error {
	if f.down.Load() {
		return errGone
	}
	return nil
}

// flushLog records the tickets that left the spool.
type flushLog struct {
	mu sync.Mutex
	ts []escalation.Ticket
}

func (l *flushLog) add(t escalation.Ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ts = append(l.ts, t)
}

func openSpool(t *testing.T, path string, inner escalation.Store, log *flushLog) *escalation.Spool {
	t.Helper()
	var flushed func(escalation.Ticket)
	if log != nil {
		flushed = log.add
	}
	s, err := escalation.OpenSpool(path, inner, escalation.SpoolOptions{Flushed: flushed, Now: steppingClock()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// steppingClock moves on by escalation.FreshFor every time it is read, so
// a spooled entry is never too fresh to flush in the tests that do not
// test freshness itself.
func steppingClock() func() time.Time {
	var mu sync.Mutex
	at := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(escalation.FreshFor)
		return at
	}
}

// TestSpoolFreshEntriesWait: a filing spooled a moment ago is not filed
// yet, so its number can never reach chat before the notice that it
// follows; a new filing waits behind it, so numbers keep the order viewers
// asked in; once FreshFor has passed, both are filed, oldest first.
func TestSpoolFreshEntriesWait(t *testing.T) {
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var log flushLog
	s, err := escalation.OpenSpool(filepath.Join(t.TempDir(), "spool.db"), inner, escalation.SpoolOptions{Flushed: log.add, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	inner.down.Store(true)
	if tk, _, err := s.Create(ctx, newTicket("mira", "m1", "ana", "when is the collab?", now)); err != nil || !tk.Spooled {
		t.Fatalf("Create while away = %+v, %v; want it spooled", tk, err)
	}
	inner.down.Store(false)
	if n, err := s.Flush(ctx); n != 0 || err != nil {
		t.Errorf("Flush right away = %d, %v; want the fresh entry left for later", n, err)
	}
	tk, _, err := s.Create(ctx, newTicket("mira", "m2", "bob", "what keyboard?", now))
	if err != nil || !tk.Spooled {
		t.Errorf("Create behind a fresh entry = %+v, %v; want it spooled behind it", tk, err)
	}
	advance(escalation.FreshFor)
	if n, err := s.Flush(ctx); n != 2 || err != nil {
		t.Fatalf("Flush after FreshFor = %d, %v; want both", n, err)
	}
	if len(log.ts) != 2 || log.ts[0].Number != 1 || log.ts[0].Askers[0].User != "ana" || log.ts[1].Number != 2 {
		t.Errorf("flushed %+v; want ana's #1, then bob's #2", log.ts)
	}
	if tk, _, err := s.Create(ctx, newTicket("mira", "m3", "cy", "is there merch?", now)); err != nil || tk.Spooled || tk.Number != 3 {
		t.Errorf("Create once the spool is empty = %+v, %v; want #3 filed at once", tk, err)
	}
}

func TestSpoolKeepsFilingsWhileTheStoreIsAway(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	openInner := func() escalation.Store {
		st, err := escalation.OpenBolt(filepath.Join(dir, "tickets.db"), escalation.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	inner := &flaky{Store: openInner()}
	path := filepath.Join(dir, "spool.db")
	var log flushLog
	s := openSpool(t, path, inner, &log)

	if _, _, err := s.Create(ctx, newTicket("mira", "m1", "ana", "first", at(0))); err != nil {
		t.Fatal(err)
	}
	inner.down.Store(true)
	for i, id := range []string{"m2", "m3", "m2"} {
		tk, created, err := s.Create(ctx, newTicket("mira", id, "bob", "while away "+id, at(time.Duration(i)*time.Second)))
		if err != nil || !created || !tk.Spooled || tk.Number != 0 {
			t.Fatalf("Create(%s) while away = %+v, %v, %v; want spooled, no number", id, tk, created, err)
		}
	}
	if !s.Down() || s.Len() != 2 {
		t.Fatalf("down %v, %d spooled; want down with 2 (m2 once)", s.Down(), s.Len())
	}
	if n, err := s.Flush(ctx); n != 0 || !errors.Is(err, escalation.ErrUnavailable) {
		t.Fatalf("Flush while away = %d, %v; want nothing flushed, ErrUnavailable", n, err)
	}

	// The bot restarts before the store is back: the spool is on disk.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	inner = &flaky{Store: openInner()}
	inner.down.Store(true)
	s = openSpool(t, path, inner, &log)
	defer s.Close()
	if s.Len() != 2 {
		t.Fatalf("after a restart %d spooled; want 2", s.Len())
	}

	inner.down.Store(false)
	if n, err := s.Flush(ctx); n != 2 || err != nil {
		t.Fatalf("Flush = %d, %v; want 2", n, err)
	}
	if s.Len() != 0 || s.Down() {
		t.Fatalf("after the flush: %d spooled, down %v; want none, up", s.Len(), s.Down())
	}
	all, err := s.List(ctx, "mira", escalation.Filter{})
	if err != nil || len(all) != 3 || all[1].Text != "while away m2" || all[2].Text != "while away m3" {
		t.Fatalf("tickets %+v, %v; want first, m2, m3 once each, in order", all, err)
	}
	if len(log.ts) != 2 || log.ts[0].Number != 2 || log.ts[1].Number != 3 {
		t.Fatalf("flushed %+v; want #2 and #3 reported", log.ts)
	}
}

func TestSpoolFlushIsIdempotent(t *testing.T) {
	// The bot filed a spooled ticket in the store and died before taking it
	// out of the spool: the next flush must not file it twice.
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	s := openSpool(t, filepath.Join(t.TempDir(), "spool.db"), inner, nil)
	defer s.Close()
	inner.down.Store(true)
	n := newTicket("mira", "m1", "ana", "while away", at(0))
	if _, _, err := s.Create(ctx, n); err != nil {
		t.Fatal(err)
	}
	inner.down.Store(false)
	if _, _, err := inner.Create(ctx, n); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Flush(ctx); got != 1 || err != nil {
		t.Fatalf("Flush = %d, %v", got, err)
	}
	if all, _ := s.List(ctx, "mira", escalation.Filter{}); len(all) != 1 {
		t.Fatalf("%d tickets; want the one, once", len(all))
	}
}

func TestSpoolFlushesOlderFilingsFirst(t *testing.T) {
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	s := openSpool(t, filepath.Join(t.TempDir(), "spool.db"), inner, nil)
	defer s.Close()
	inner.down.Store(true)
	s.Create(ctx, newTicket("mira", "m1", "ana", "asked first", at(0)))
	inner.down.Store(false)
	// Still marked down: the next filing is spooled too, until a flush
	// sees the store again.
	s.Create(ctx, newTicket("mira", "m2", "bob", "asked second", at(time.Second)))
	if _, err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tk, _, err := s.Create(ctx, newTicket("mira", "m3", "cy", "asked third", at(2*time.Second)))
	if err != nil || tk.Number != 3 {
		t.Fatalf("Create once back = #%d, %v; want #3", tk.Number, err)
	}
	all, _ := s.List(ctx, "mira", escalation.Filter{})
	for i, want := range []string{"asked first", "asked second", "asked third"} {
		if all[i].Text != want {
			t.Errorf("#%d is %q; want %q", i+1, all[i].Text, want)
		}
	}
}

// recorder is a sink that keeps what it was given.
type recorder struct {
	mu   sync.Mutex
	msgs []chat.Message
	decs []chat.Decision
}

func (r *recorder) Deliver(_ context.Context, msg chat.Message, d chat.Decision) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msg)
	r.decs = append(r.decs, d)
	return nil
}

func (r *recorder) texts() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []chat.Reply
	for _, d := range r.decs {
		all = append(all, d.Replies...)
	}
	return texts(chat.Decision{Replies: all})
}

func TestDeskWhileTheStoreIsAway(t *testing.T) {
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	var log flushLog
	s := openSpool(t, filepath.Join(t.TempDir(), "spool.db"), inner, &log)
	defer s.Close()
	h := newDesk(t, s, defaultSettings(), nil)

	inner.down.Store(true)
	d := h.viewer("ana", "!ask when is the next collab?")
	if d.Action != chat.ActionEscalate || d.Ticket != "" {
		t.Fatalf("!ask while away = %+v; want escalate without a number", d)
	}
	wantReply(t, d, "ticket number follows")
	d = h.mod("kim", "!claim 1")
	wantReply(t, d, "there is no ticket #1")

	inner.down.Store(false)
	if _, err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var sink recorder
	for _, tk := range log.ts {
		h.Flushed(ctx, tk, &sink)
	}
	if got := sink.texts(); got != "@ana your question is ticket #1 — a moderator will answer" {
		t.Fatalf("after the flush: %q", got)
	}
	if sink.decs[0].Replies[0].ParentID != "m1" {
		t.Errorf("ticket number threaded under %q; want under ana's question m1", sink.decs[0].Replies[0].ParentID)
	}
	d = h.mod("kim", "!tickets")
	wantReply(t, d, "1 open", "#1")
}
