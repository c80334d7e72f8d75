package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// A damaged data/chatdesk.db (cut short, a page overwritten, 0 bytes, some
// other file) stops the bot and bot tickets with an error that names the
// file and says what to do, exit 1, never a panic; bot tickets recover
// gets the readable tickets back.

// manyTickets writes a config and a store holding n tickets of #mira, each
// with text of its own ("question 7: …"), and returns the config's path and
// the store's.
func manyTickets(t *testing.T, n int) (string, string) {
	t.Helper()
	path := writeConfig(t, "bot: {data_dir: data}\nchannels:\n  - name: mira\n    faq: [FAQ]\n")
	cfg, err := loadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := escalation.OpenBolt(cfg.Store.Path, escalation.BoltOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("m%d", i)
		text := fmt.Sprintf("question %d: %s", i, strings.Repeat("is the merch store open? ", 10))
		_, _, err := s.Create(context.Background(), escalation.NewTicket{
			Channel: "mira", Kind: escalation.KindQuestion, Source: escalation.SourceAsk, Text: text, MessageID: id,
			Askers: []escalation.Asker{{User: "ana", MessageID: id, Text: text, At: t0}}, At: t0,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path, cfg.Store.Path
}

// overwriteAll writes b over every place in the file at path where needle
// is, shifted by delta (wherever bbolt keeps a copy of it).
func overwriteAll(t *testing.T, path, needle string, delta func(at int64) int64, b []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := 0
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte(needle))
		if i < 0 {
			break
		}
		at := int64(off + i)
		if _, err := f.WriteAt(b, at+delta(at)); err != nil {
			t.Fatal(err)
		}
		off += i + len(needle)
		found++
	}
	if found == 0 {
		t.Fatalf("%q is nowhere in %s", needle, path)
	}
}

var storeDamages = []struct {
	name, reason string
	damage       func(t *testing.T, path string)
	// saved is how many of the 100 tickets recover must save; -1: some.
	saved int
}{
	{"cut in half", "it is cut short", func(t *testing.T, path string) {
		fi, _ := os.Stat(path)
		if err := os.Truncate(path, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	}, -1},
	{"a page overwritten", "page ", func(t *testing.T, path string) {
		// The header of each page holding ticket #50, where the tree
		// has it and where an older copy is.
		ps := int64(os.Getpagesize())
		overwriteAll(t, path, "question 50:", func(at int64) int64 { return at/ps*ps - at }, bytes.Repeat([]byte{0xFF}, 16))
	}, -1},
	{"a ticket overwritten", "ticket #50 is unreadable", func(t *testing.T, path string) {
		overwriteAll(t, path, "question 50:", func(int64) int64 { return 4 }, []byte("\x01\x02\x03"))
	}, 99},
	{"0 bytes", "it is empty: 0 bytes", func(t *testing.T, path string) {
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
	}, 0},
	{"a text file", "it is a text file", func(t *testing.T, path string) {
		if err := os.WriteFile(path, []byte("tickets:\n  - 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}, 0},
	{"a SQLite database", "it is a SQLite database", func(t *testing.T, path string) {
		if err := os.WriteFile(path, append([]byte("SQLite format 3\x00"), make([]byte, 8192)...), 0o600); err != nil {
			t.Fatal(err)
		}
	}, 0},
	{"a zip archive", "it is a zip archive", func(t *testing.T, path string) {
		if err := os.WriteFile(path, append([]byte("PK\x03\x04\x14\x00"), make([]byte, 500)...), 0o600); err != nil {
			t.Fatal(err)
		}
	}, 0},
}

func TestDamagedStore(t *testing.T) {
	for _, d := range storeDamages {
		t.Run(d.name, func(t *testing.T) {
			config, store := manyTickets(t, 100)
			d.damage(t, store)
			before, _ := os.ReadFile(store)
			want := "the ticket store " + store + " is damaged ("
			advice := "run `bot tickets recover` to copy every readable ticket into a new file"
			for _, c := range []struct {
				name string
				env  []string
				args []string
			}{
				{"console run", nil, []string{"run"}},
				{"live run", append([]string{"CHATDESK_TWITCH_TOKEN=oauth:x"}, offline...), []string{"run"}},
				{"tickets list", nil, []string{"tickets", "list"}},
				{"tickets show", nil, []string{"tickets", "show", "1"}},
				{"tickets export", nil, []string{"tickets", "export", "--format", "csv"}},
				{"report", nil, []string{"report"}},
			} {
				o := invoke(t, c.env, "ana: when do you stream?\n", append(c.args, "--config", config)...)
				msg := fmt.Sprint(o.err)
				if o.code() != exitFailure || !strings.Contains(msg, want) || !strings.Contains(msg, d.reason) || !strings.HasSuffix(msg, advice) {
					t.Errorf("%s: exit %d, %q; want exit 1 with %q…%q…%q", c.name, o.code(), msg, want, d.reason, advice)
				}
				if strings.Contains(o.stderr, "goroutine") || strings.Contains(o.stderr, "panic") || o.stdout != "" {
					t.Errorf("%s: stdout %q, stderr %q; want neither output nor a stack trace", c.name, o.stdout, o.stderr)
				}
			}
			if after, _ := os.ReadFile(store); !bytes.Equal(before, after) {
				t.Fatalf("the damaged store was changed (%d bytes → %d) before recover", len(before), len(after))
			}

			o := invoke(t, nil, "", "tickets", "recover", "--config", config)
			if o.code() != 0 || !strings.Contains(o.stdout, "recovered "+store+": ") || !strings.Contains(o.stdout, "kept as "+store+".damaged-") {
				t.Fatalf("tickets recover = exit %d, %v\n%s", o.code(), o.err, o.stdout)
			}
			if d.saved >= 0 && !strings.Contains(o.stdout, fmt.Sprintf(": %d tickets saved, ", d.saved)) {
				t.Errorf("tickets recover said %q; want %d tickets saved", o.stdout, d.saved)
			}
			o = invoke(t, nil, "", "tickets", "list", "--config", config)
			if o.code() != 0 {
				t.Fatalf("tickets list after recover = exit %d, %v", o.code(), o.err)
			}
			if d.saved > 0 && !strings.Contains(o.stdout, fmt.Sprintf("#mira: %d tickets", d.saved)) {
				t.Errorf("tickets list after recover:\n%s\nwant %d tickets", o.stdout, d.saved)
			}
			if o := invoke(t, nil, "", "run", "--config", config); o.code() != 0 {
				t.Errorf("run after recover = exit %d, %v", o.code(), o.err)
			}
		})
	}
}

// TestRunWithADamagedStoreThroughMain goes through run, as main does: exit
// 1 and a message, not a stack trace.
func TestRunWithADamagedStoreThroughMain(t *testing.T) {
	config, store := manyTickets(t, 100)
	if err := os.Truncate(store, 4096+100); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"run", "--config", config}, nil, strings.NewReader("ana: hi\n"), &stdout, &stderr)
	if exitCode(err) != exitFailure || !strings.Contains(fmt.Sprint(err), "the ticket store "+store+" is damaged (it is cut short") {
		t.Errorf("run = exit %d, %v; want exit 1 saying the store is damaged", exitCode(err), err)
	}
	if s := stderr.String(); strings.Contains(s, "goroutine") || strings.Contains(s, "panic") {
		t.Errorf("stderr = %q; want no stack trace", s)
	}
}

func TestTicketsRecoverRefuses(t *testing.T) {
	config, store := manyTickets(t, 3)

	// A good store is left as it is.
	o := invoke(t, nil, "", "tickets", "recover", "--config", config)
	if o.code() != 0 || !strings.Contains(o.stdout, store+" is not damaged: all 3 tickets") {
		t.Errorf("recover of a good store = exit %d, %v, %q", o.code(), o.err, o.stdout)
	}

	// Not while a bot holds the file.
	s, err := escalation.OpenBolt(store, escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o = invoke(t, nil, "", "tickets", "recover", "--config", config)
	s.Close()
	if o.code() != exitFailure || !strings.Contains(fmt.Sprint(o.err), "in use by another chatdesk process") {
		t.Errorf("recover while the store is open = exit %d, %v", o.code(), o.err)
	}

	// No store: nothing to recover.
	if err := os.Remove(store); err != nil {
		t.Fatal(err)
	}
	if o := invoke(t, nil, "", "tickets", "recover", "--config", config); o.code() != exitFailure || !strings.Contains(fmt.Sprint(o.err), "no such file") {
		t.Errorf("recover without a store = exit %d, %v", o.code(), o.err)
	}
	if m, _ := filepath.Glob(store + "*"); len(m) != 0 {
		t.Errorf("files left behind: %v", m)
	}

	// Redis has no file to recover.
	redis := writeConfig(t, "store: {backend: redis}\nchannels:\n  - name: mira\n    faq: [FAQ]\n")
	if o := invoke(t, nil, "", "tickets", "recover", "--config", redis); o.code() != exitBadInput || !strings.Contains(fmt.Sprint(o.err), "the store is redis") {
		t.Errorf("recover with redis = exit %d, %v", o.code(), o.err)
	}
	// Arguments are bad input.
	if o := invoke(t, nil, "", "tickets", "recover", "extra", "--config", config); o.code() != exitBadInput {
		t.Errorf("recover extra = exit %d, %v", o.code(), o.err)
	}
}
