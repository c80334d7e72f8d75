package escalation_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// openLazyBolt is a lazy store that a first ticket, in a channel of its
// own, has given its file.
func openLazyBolt(t *testing.T) escalation.Store {
	t.Helper()
	s, err := escalation.OpenBolt(filepath.Join(t.TempDir(), "data", "tickets.db"), escalation.BoltOptions{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)
	if _, _, err := s.Create(context.Background(), newTicket("lazy-first", "first", "ana", "the first ticket makes the file", at)); err != nil {
		t.Fatal(err)
	}
	return s
}

// A lazy store is the same store once it has its file: the whole contract.
// (Before that, see TestLazyBoltCreatesItsFileOnTheFirstTicket.)
func TestLazyBoltConformance(t *testing.T) { testStore(t, openLazyBolt) }

// TestLazyBoltCreatesItsFileOnTheFirstTicket: reads and events leave no
// file; the first ticket creates it, with the events recorded before it.
func TestLazyBoltCreatesItsFileOnTheFirstTicket(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "chatdesk.db")
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	if ts, err := s.List(ctx, "chan", escalation.Filter{}); err != nil || len(ts) != 0 {
		t.Errorf("List = %v, %v; want nothing", ts, err)
	}
	if _, err := s.Get(ctx, "chan", 1); !errors.Is(err, escalation.ErrNotFound) {
		t.Errorf("Get = %v; want ErrNotFound", err)
	}
	if _, err := s.Claim(ctx, escalation.Op{Channel: "chan", Number: 1, By: "kim", At: at}, time.Minute); !errors.Is(err, escalation.ErrNotFound) {
		t.Errorf("Claim = %v; want ErrNotFound", err)
	}
	ev := escalation.Event{Channel: "chan", At: at, Kind: escalation.EventMessage}
	if err := s.AppendEvents(ctx, ev, ev); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Events(ctx, "chan", time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("Events before the file = %d, %v; want none yet", len(got), err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the store file exists before any ticket (stat: %v)", err)
	}
	if _, _, err := s.Create(ctx, newTicket("chan", "m1", "ana", "is the merch store open?", at)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no store file after the first ticket: %v", err)
	}
	if err := s.AppendEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, "chan", time.Time{})
	if err != nil || len(got) != 3 {
		t.Errorf("Events = %d, %v; want the 2 held and the 1 after", len(got), err)
	}

	// Opened again, an existing file is taken at once: a second bot on
	// the same file fails at start.
	if _, err := escalation.OpenBolt(path, escalation.BoltOptions{Lazy: true, Timeout: 50 * time.Millisecond}); err == nil {
		t.Error("a second lazy open of a file in use succeeded; want the in-use error")
	}
}
