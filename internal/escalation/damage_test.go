package escalation_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// The damage a store file meets: a copy or a disk cut it short, a bad
// sector wrote over a page, a crash left it at 0 bytes, or store.path points
// at some other file. Each must give an error that names the file, never a
// panic, and recovery must save every ticket that is still readable.

// filledStore writes a store file with n tickets in #mira (long enough to
// fill many pages), a few in #otto, and events, and returns its path and
// the tickets by channel.
func filledStore(t *testing.T, n int) (string, map[string][]escalation.Ticket) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "chatdesk.db")
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := map[string][]escalation.Ticket{}
	for i := range n + 3 {
		channel := "mira"
		if i >= n {
			channel = "otto"
		}
		text := fmt.Sprintf("question %d: %s", i, strings.Repeat("what keyboard do you use? ", 12))
		tk, _, err := s.Create(ctx, newTicket(channel, fmt.Sprintf("m%d", i), fmt.Sprintf("viewer%d", i), text, at(time.Duration(i)*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		want[channel] = append(want[channel], tk)
	}
	if _, err := s.Answer(ctx, escalation.Op{Channel: "mira", Number: 2, By: "kim", At: at(time.Hour)}, "a Keychron Q1"); err != nil {
		t.Fatal(err)
	}
	want["mira"][1], _ = s.Get(ctx, "mira", 2)
	var events []escalation.Event
	for i := range 50 {
		events = append(events, escalation.Event{Channel: "mira", At: at(time.Duration(i) * time.Second), Kind: escalation.EventMessage})
	}
	if err := s.AppendEvents(ctx, events...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, want
}

// ticketPage picks a leaf page of #mira's tickets from the middle of the
// file and returns its offset and the numbers of the tickets on it.
func ticketPage(t *testing.T, path string) (off, pageSize int64, numbers []int64) {
	t.Helper()
	ps, pages := escalation.LeafPages(t, path, "tickets", "mira", "t")
	if len(pages) < 3 {
		t.Fatalf("#mira's tickets fill %d pages; want several", len(pages))
	}
	var ids []uint64
	for id := range pages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	id := ids[len(ids)/2]
	for _, k := range pages[id] {
		numbers = append(numbers, int64(binary.BigEndian.Uint64(k)))
	}
	return int64(id) * ps, ps, numbers
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func fill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

// damage is one way a store file gets broken; the reason is what the error
// must say about it.
type damage struct {
	name   string
	reason string
	do     func(t *testing.T, path string)
	// saves is set when tickets are left to recover.
	saves bool
}

func damages() []damage {
	truncate := func(size func(fi os.FileInfo, pageSize int64) int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			_, ps, _ := ticketPage(t, path)
			if err := os.Truncate(path, size(fi, ps)); err != nil {
				t.Fatal(err)
			}
		}
	}
	replace := func(data []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []damage{
		{"cut in half", "cut short", truncate(func(fi os.FileInfo, _ int64) int64 { return fi.Size() / 2 }), true},
		{"cut to one page", "cut short", truncate(func(_ os.FileInfo, ps int64) int64 { return ps }), false},
		{"cut mid-page", "cut short", truncate(func(_ os.FileInfo, ps int64) int64 { return ps + 100 }), false},
		{"page header overwritten", "#mira's tickets: page", func(t *testing.T, path string) {
			off, _, _ := ticketPage(t, path)
			overwrite(t, path, off, fill(16, 0xFF))
		}, true},
		{"page entries overwritten", "#mira's tickets:", func(t *testing.T, path string) {
			off, _, _ := ticketPage(t, path)
			overwrite(t, path, off+16, fill(64, 0x7F))
		}, true},
		{"ticket text overwritten", "#mira's tickets: ticket #", func(t *testing.T, path string) {
			off, ps, _ := ticketPage(t, path)
			overwrite(t, path, off+ps/2, fill(200, '\x01'))
		}, true},
		{"both header pages overwritten", "both of its header pages are unreadable", func(t *testing.T, path string) {
			_, ps, _ := ticketPage(t, path)
			overwrite(t, path, 16, fill(64, 0))
			overwrite(t, path, ps+16, fill(64, 0))
		}, true},
		{"0 bytes", "it is empty: 0 bytes", replace(nil), false},
		{"a text file", "it is a text file, not a bbolt file", replace([]byte("channels:\n  - name: mira\n")), false},
		{"a SQLite database", "it is a SQLite database", replace(append([]byte("SQLite format 3\x00"), fill(8192, 0)...)), false},
		{"a zip archive", "it is a zip archive", replace(append([]byte("PK\x03\x04"), fill(300, 7)...)), false},
		{"random bytes", "it is not a bbolt file", replace(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0}, 2000)), false},
	}
}

func TestOpenBoltRefusesADamagedFile(t *testing.T) {
	for _, d := range damages() {
		t.Run(d.name, func(t *testing.T) {
			path, _ := filledStore(t, 120)
			d.do(t, path)
			before, _ := os.ReadFile(path)
			for _, o := range []escalation.BoltOptions{{}, {ReadOnly: true}, {Lazy: true}} {
				s, err := escalation.OpenBolt(path, o)
				if err == nil {
					s.Close()
					t.Fatalf("OpenBolt(%+v) of a damaged file = nil error", o)
				}
				var de *escalation.DamagedError
				if !errors.As(err, &de) || de.Path != path {
					t.Fatalf("OpenBolt(%+v) = %v; want a DamagedError about %s", o, err, path)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "the ticket store "+path+" is damaged (") || !strings.Contains(msg, d.reason) {
					t.Errorf("error = %q; want it to name the file and say %q", msg, d.reason)
				}
			}
			// Nothing was written to it: a 0-byte file stays 0 bytes,
			// rather than becoming a new, empty store.
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("opening the damaged file changed it (%d bytes → %d)", len(before), len(after))
			}
		})
	}
}

// TestDamageWhileOpen: a page damaged (or the file cut short) after the
// store was opened and checked makes each read of bot tickets and of the
// bot fail with an error; bbolt's panics and memory faults are recovered.
func TestDamageWhileOpen(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, path string)
	}{
		{"page header overwritten", func(t *testing.T, path string) {
			off, _, _ := ticketPage(t, path)
			overwrite(t, path, off, fill(16, 0xFF))
		}},
		{"ticket text overwritten", func(t *testing.T, path string) {
			off, ps, _ := ticketPage(t, path)
			overwrite(t, path, off+ps/2, fill(200, '\x01'))
		}},
		{"cut short", func(t *testing.T, path string) {
			_, ps, _ := ticketPage(t, path)
			if err := os.Truncate(path, 2*ps); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, _ := filledStore(t, 120)
			s, err := escalation.OpenBolt(path, escalation.BoltOptions{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tc.do(t, path)
			if _, err := s.List(ctx, "mira", escalation.Filter{}); err == nil {
				t.Errorf("List over a damaged page = nil error")
			}
			for name, read := range map[string]func() error{
				"get":       func() error { _, err := s.Get(ctx, "mira", 60); return err },
				"open":      func() error { _, err := s.List(ctx, "mira", escalation.Filter{Open: true}); return err },
				"owed":      func() error { _, err := s.Owed(ctx, "mira", "viewer1"); return err },
				"owedUsers": func() error { _, err := s.OwedUsers(ctx, "mira"); return err },
				"events":    func() error { _, err := s.Events(ctx, "mira", time.Time{}); return err },
			} {
				// Whether each fails depends on the pages it reads; it
				// must not panic, and a failure must name the store.
				if err := read(); err != nil && !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), "unreadable") && !strings.Contains(err.Error(), "decode") {
					t.Errorf("%s: error %q does not say what is wrong", name, err)
				}
			}
		})
	}
}

func TestRecoverBoltKeepsEveryReadableTicket(t *testing.T) {
	ctx := context.Background()
	path, want := filledStore(t, 200)
	off, _, lost := ticketPage(t, path)
	overwrite(t, path, off, fill(16, 0xFF))
	damaged, _ := os.ReadFile(path)

	now := time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)
	r, err := escalation.RecoverBolt(path, now)
	if err != nil {
		t.Fatal(err)
	}
	total := len(want["mira"]) + len(want["otto"])
	if !r.Damaged || r.Tickets != total-len(lost) || r.Unreadable != len(lost) || r.Events != 50 {
		t.Errorf("recovery = %+v; want %d tickets saved, %d unreadable, 50 events", r, total-len(lost), len(lost))
	}
	if wantKept := path + ".damaged-20260315-093000"; r.Kept != wantKept {
		t.Errorf("kept as %q; want %q", r.Kept, wantKept)
	}
	if kept, _ := os.ReadFile(r.Kept); !bytes.Equal(kept, damaged) {
		t.Errorf("the kept file is not the damaged file as it was")
	}
	report := r.Report(path)
	for _, s := range []string{fmt.Sprintf("%d tickets saved, %d unreadable", total-len(lost), len(lost)), r.Kept, "unreadable: #mira's tickets: page"} {
		if !strings.Contains(report, s) {
			t.Errorf("report %q does not say %q", report, s)
		}
	}

	s, err := escalation.OpenBolt(path, escalation.BoltOptions{})
	if err != nil {
		t.Fatalf("the recovered store does not open: %v", err)
	}
	defer s.Close()
	isLost := map[int64]bool{}
	for _, n := range lost {
		isLost[n] = true
	}
	for channel, tickets := range want {
		var keep []escalation.Ticket
		for _, tk := range tickets {
			if channel != "mira" || !isLost[tk.Number] {
				keep = append(keep, tk)
			}
		}
		got, err := s.List(ctx, channel, escalation.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, keep) {
			t.Errorf("#%s: %d tickets back; want the %d readable ones, unchanged", channel, len(got), len(keep))
		}
	}
	// The indexes are rebuilt: the answer is still owed, a message files
	// no second ticket, and a new ticket takes a number never given out.
	if owed, err := s.Owed(ctx, "mira", "viewer1"); err != nil || len(owed) != 1 || owed[0].Number != 2 {
		t.Errorf("owed to viewer1 = %v, %v; want ticket #2", owed, err)
	}
	if again, created, err := s.Create(ctx, newTicket("mira", "m0", "viewer0", "again", at(0))); err != nil || created || again.Number != 1 {
		t.Errorf("refiling message m0 = #%d created %v, %v; want #1, not created", again.Number, created, err)
	}
	if next, _, err := s.Create(ctx, newTicket("mira", "new", "ana", "new one", at(time.Hour))); err != nil || next.Number != int64(len(want["mira"])+1) {
		t.Errorf("next ticket = #%d, %v; want #%d", next.Number, err, len(want["mira"])+1)
	}
	if ev, err := s.Events(ctx, "mira", time.Time{}); err != nil || len(ev) != 50 {
		t.Errorf("events = %d, %v; want 50", len(ev), err)
	}
}

func TestRecoverBoltFromEachDamage(t *testing.T) {
	for _, d := range damages() {
		t.Run(d.name, func(t *testing.T) {
			path, want := filledStore(t, 120)
			total := len(want["mira"]) + len(want["otto"])
			d.do(t, path)
			r, err := escalation.RecoverBolt(path, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !r.Damaged || r.Tickets+r.Unreadable > total || len(r.Problems) == 0 {
				t.Errorf("recovery = %+v; want damage found, at most %d tickets", r, total)
			}
			if d.saves && r.Tickets == 0 {
				t.Errorf("recovery = %+v; want the readable tickets saved", r)
			}
			s, err := escalation.OpenBolt(path, escalation.BoltOptions{ReadOnly: true})
			if err != nil {
				t.Fatalf("the recovered store does not open: %v", err)
			}
			defer s.Close()
			got := 0
			for channel := range want {
				ts, err := s.List(context.Background(), channel, escalation.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				got += len(ts)
			}
			if got != r.Tickets {
				t.Errorf("the recovered store holds %d tickets; the recovery said %d", got, r.Tickets)
			}
		})
	}
}

func TestRecoverBoltLeavesAGoodStoreAlone(t *testing.T) {
	path, _ := filledStore(t, 10)
	before, _ := os.ReadFile(path)
	r, err := escalation.RecoverBolt(path, time.Now())
	if err != nil || r.Damaged || r.Tickets != 13 || r.Kept != "" {
		t.Fatalf("recovery of a good store = %+v, %v; want nothing done, 13 tickets read", r, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("a good store was changed")
	}
	if m, _ := filepath.Glob(path + ".*"); len(m) != 0 {
		t.Errorf("files left beside a good store: %v", m)
	}
}

func TestRecoverBoltRefusesWhileInUse(t *testing.T) {
	path, _ := filledStore(t, 10)
	s, err := escalation.OpenBolt(path, escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := escalation.RecoverBolt(path, time.Now()); !errors.Is(err, escalation.ErrInUse) {
		t.Fatalf("RecoverBolt while the store is open = %v; want ErrInUse", err)
	}
}

// TestRandomDamageNeverPanics writes random bytes over random places of a
// real store: whatever is hit, opening, reading and recovering give errors
// at worst, and the recovered file always opens.
func TestRandomDamageNeverPanics(t *testing.T) {
	ctx := context.Background()
	base, _ := filledStore(t, 60)
	good, _ := os.ReadFile(base)
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 150
	if testing.Short() {
		rounds = 30
	}
	dir := t.TempDir()
	for i := range rounds {
		data := bytes.Clone(good)
		for range 1 + rng.IntN(3) {
			off := rng.IntN(len(data))
			for j := off; j < min(len(data), off+1+rng.IntN(64)); j++ {
				data[j] = byte(rng.Uint32())
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("round%d.db", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if s, err := escalation.OpenBolt(path, escalation.BoltOptions{ReadOnly: true}); err == nil {
			for _, ch := range []string{"mira", "otto"} {
				_, _ = s.List(ctx, ch, escalation.Filter{})
				_, _ = s.OwedUsers(ctx, ch)
			}
			_, _ = s.Events(ctx, "mira", time.Time{})
			s.Close()
		}
		if _, err := escalation.RecoverBolt(path, time.Now()); err != nil {
			t.Fatalf("round %d: recover: %v", i, err)
		}
		s, err := escalation.OpenBolt(path, escalation.BoltOptions{})
		if err != nil {
			t.Fatalf("round %d: the recovered store does not open: %v", i, err)
		}
		s.Close()
	}
}

// filledSpool spools n filings while the store is away and returns the
// spool file's path.
func filledSpool(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "spool.db")
	inner := &flaky{Store: escalation.NewMemoryStore()}
	inner.down.Store(true)
	s := openSpool(t, path, inner, nil)
	for i := range n {
		text := fmt.Sprintf("question %d: %s", i, strings.Repeat("is the merch store open? ", 12))
		if _, _, err := s.Create(ctx, newTicket("mira", fmt.Sprintf("m%d", i), fmt.Sprintf("viewer%d", i), text, at(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedSpoolKeepsWhatItCanRead: the spool holds tickets viewers
// were promised. A damaged spool file does not stop the bot: the readable
// filings go on to the store, and the damaged file is kept.
func TestDamagedSpoolKeepsWhatItCanRead(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		damage   func(t *testing.T, path string) (lost int)
		atLeast  int
		wantWarn string
	}{
		{"page header overwritten", func(t *testing.T, path string) int {
			ps, pages := escalation.LeafPages(t, path, "spool")
			var ids []uint64
			for id := range pages {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			id := ids[len(ids)/2]
			overwrite(t, path, int64(id)*ps, fill(16, 0xFF))
			return len(pages[id])
		}, 1, "unreadable="},
		{"0 bytes", func(t *testing.T, path string) int {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			return 40
		}, 0, "it is empty"},
		{"a text file", func(t *testing.T, path string) int {
			if err := os.WriteFile(path, []byte("not a spool\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return 40
		}, 0, "text file"},
		{"cut in half", func(t *testing.T, path string) int {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			return -1 // as many as the scan cannot find
		}, 1, "cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filledSpool(t, 40)
			lost := tc.damage(t, path)
			var logs bytes.Buffer
			inner := &flaky{Store: escalation.NewMemoryStore()}
			inner.down.Store(true)
			s, err := escalation.OpenSpool(path, inner, escalation.SpoolOptions{Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: steppingClock()})
			if err != nil {
				t.Fatalf("OpenSpool of a damaged spool = %v; want it to carry on", err)
			}
			defer s.Close()
			n := s.Len()
			if lost >= 0 && n != 40-lost || n < tc.atLeast {
				t.Errorf("%d filings left in the spool; want %d (at least %d)", n, 40-lost, tc.atLeast)
			}
			if !strings.Contains(logs.String(), "the spool file was damaged") || !strings.Contains(logs.String(), tc.wantWarn) {
				t.Errorf("log = %q; want a warning saying %q", logs.String(), tc.wantWarn)
			}
			if kept, _ := filepath.Glob(path + ".damaged-*"); len(kept) != 1 {
				t.Errorf("kept files %v; want the damaged spool kept beside the new one", kept)
			}
			// What was read goes on to the store as usual.
			inner.down.Store(false)
			if done, err := s.Flush(ctx); done != n || err != nil {
				t.Errorf("Flush = %d, %v; want %d", done, err, n)
			}
			if all, _ := inner.List(ctx, "mira", escalation.Filter{}); len(all) != n {
				t.Errorf("the store has %d tickets; want %d", len(all), n)
			}
		})
	}
}

// TestSpoolInUse: a second bot on the same spool file is refused, and the
// file is neither touched nor taken for damaged.
func TestSpoolInUse(t *testing.T) {
	path := filledSpool(t, 3)
	inner := &flaky{Store: escalation.NewMemoryStore()}
	s := openSpool(t, path, inner, nil)
	defer s.Close()
	if _, err := escalation.OpenSpool(path, inner, escalation.SpoolOptions{}); !errors.Is(err, escalation.ErrInUse) {
		t.Fatalf("OpenSpool of a spool another bot holds = %v; want ErrInUse", err)
	}
	if kept, _ := filepath.Glob(path + ".damaged-*"); len(kept) != 0 {
		t.Errorf("kept files %v; want none", kept)
	}
	if n := s.Len(); n != 3 {
		t.Errorf("%d filings in the spool; want 3", n)
	}
}

// TestSpoolDamagedWhileOpen: damage that appears while the bot runs makes
// the spool's operations fail, never panic.
func TestSpoolDamagedWhileOpen(t *testing.T) {
	ctx := context.Background()
	path := filledSpool(t, 40)
	inner := &flaky{Store: escalation.NewMemoryStore()}
	inner.down.Store(true)
	s := openSpool(t, path, inner, nil)
	defer s.Close()
	ps, pages := escalation.LeafPages(t, path, "spool")
	for id := range pages {
		overwrite(t, path, int64(id)*ps, fill(16, 0xFF))
	}
	_ = s.Len()
	if _, err := s.Flush(ctx); err == nil {
		t.Errorf("Flush over damaged pages = nil error")
	}
	_, _, _ = s.Create(ctx, newTicket("mira", "new", "ana", "still there?", at(time.Hour)))
}

// TestSalvagedSpoolFilesEachTicketOnce: a spool cut short loses its tree,
// so its filings are looked for page by page, where copies of filings
// already flushed may lie too. Each is filed once, and a viewer hears a
// number once.
func TestSalvagedSpoolFilesEachTicketOnce(t *testing.T) {
	ctx := context.Background()
	path := filledSpool(t, 40)
	store := escalation.NewMemoryStore()
	var first flushLog
	s := openSpool(t, path, &goesAway{Store: store, left: 25}, &first)
	if n, _ := s.Flush(ctx); n != 25 {
		t.Fatalf("flushed %d; want 25 before the store went away", n)
	}
	s.Close()
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	var again flushLog
	s = openSpool(t, path, &flaky{Store: store}, &again)
	defer s.Close()
	if _, err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(first.ts)+len(again.ts) < 30 {
		t.Errorf("%d+%d viewers told their number; want most of the 40", len(first.ts), len(again.ts))
	}
	all, _ := store.List(ctx, "mira", escalation.Filter{})
	ids := map[string]int{}
	for _, tk := range all {
		ids[tk.MessageID]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s filed %d times", id, n)
		}
	}
	told := map[int64]int{}
	for _, tk := range append(first.ts, again.ts...) {
		told[tk.Number]++
	}
	for n, times := range told {
		if times != 1 {
			t.Errorf("the viewer of #%d was told its number %d times", n, times)
		}
	}
}

// goesAway is a store that files left tickets, then is unreachable.
type goesAway struct {
	escalation.Store
	left int
}

func (g *goesAway) Create(ctx context.Context, n escalation.NewTicket) (escalation.Ticket, bool, error) {
	if g.left == 0 {
		return escalation.Ticket{}, false, errGone
	}
	g.left--
	return g.Store.Create(ctx, n)
}

// TestStorePathIsADirectory: not a damaged store, and nothing to recover.
func TestStorePathIsADirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chatdesk.db")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, o := range []escalation.BoltOptions{{}, {ReadOnly: true}} {
		if _, err := escalation.OpenBolt(path, o); err == nil || errors.As(err, new(*escalation.DamagedError)) || !strings.Contains(err.Error(), "is not a file") {
			t.Errorf("OpenBolt(%+v) of a directory = %v; want it said plainly", o, err)
		}
	}
	if _, err := escalation.RecoverBolt(path, time.Now()); err == nil || !strings.Contains(err.Error(), "is not a file") {
		t.Errorf("RecoverBolt of a directory = %v", err)
	}
}
