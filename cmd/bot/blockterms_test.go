package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// honestAfterBlock are lines every viewer may keep saying, whatever a
// moderator tried to block.
var honestAfterBlock = []string{
	"hello chat", "what game is this?", "when do you stream next", "LUL LUL", "主播晚上好", "这个游戏叫什么名字？",
}

// TestBlockEmptyRegexpRefused: "!block //" (and other terms that would
// remove all of chat or slow every message) is refused from chat, nothing
// is saved, and honest messages after it are not touched.
func TestBlockEmptyRegexpRefused(t *testing.T) {
	ch, cfg := testChannel(t, modConfig)
	c := &chatter{t: t, p: ch.Pipeline(), at: time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)}
	mod := chat.RoleModerator
	for _, tt := range []struct{ term, want string }{
		{"//", "matches empty text, so it would remove every message"},
		{"/.*/", "matches empty text"},
		{"/./", "ordinary English chat lines"},
		{"the", "ordinary English chat lines"},
		{"了", "ordinary Chinese chat lines"},
		{"/(?:[a-j ]*[a-j ]*[a-j ]*){1000}q/", "too complex"},
	} {
		d := c.say("kim", mod, "!block "+tt.term)
		if got := replyText(d); !strings.HasPrefix(got, "Can't block that: ") || !strings.Contains(got, tt.want) {
			t.Errorf("!block %s: reply %q; want a refusal saying %q", tt.term, got, tt.want)
		}
	}
	file := filepath.Join(cfg.Bot.DataDir, "mira", "blocked.yaml")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		data, _ := os.ReadFile(file)
		t.Errorf("a refused term was saved: %v %q", err, data)
	}
	for i, line := range honestAfterBlock {
		if d := c.say(fmt.Sprintf("viewer%d", i), 0, line); d.Action == chat.ActionModerate {
			t.Errorf("%q after the refused blocks: %+v", line, d)
		}
	}
	// A real term still blocks.
	if d := c.say("kim", mod, "!block grapes"); !strings.Contains(replyText(d), "Blocked") {
		t.Errorf("!block grapes: %q", replyText(d))
	}
	if d := c.say("ann", 0, "i like grapes"); d.Rule != "banned_terms" {
		t.Errorf("blocked word: %+v", d)
	}
}

// TestBlockedFileWithRefusedTerm: a block list saved by an older version
// (or edited by hand) that holds "//" does not stop the channel and does
// not remove honest chat after a restart; the rest of the list still
// applies, and the log names the file and the term.
func TestBlockedFileWithRefusedTerm(t *testing.T) {
	path := writeConfig(t, modConfig)
	cfg, err := loadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(cfg.Bot.DataDir, "mira", "blocked.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	old := "# Terms moderators blocked with !block; edit with !block and !unblock.\nterms:\n  - grapes\n  - //\n  - /(?:[a-j ]*[a-j ]*[a-j ]*){1000}q/\n"
	if err := os.WriteFile(file, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	chs, err := buildChannels(cfg, channelOptions{store: escalation.NewMemoryStore(), log: log})
	if err != nil {
		t.Fatalf("buildChannels with a refused term in %s: %v; want it skipped", file, err)
	}
	defer chs.Close()
	c := &chatter{t: t, p: chs.All()[0].Pipeline(), at: time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)}
	for i, line := range honestAfterBlock {
		if d := c.say(fmt.Sprintf("viewer%d", i), 0, line); d.Action == chat.ActionModerate {
			t.Errorf("%q after restart: %+v", line, d)
		}
	}
	if d := c.say("ann", 0, "i like grapes"); d.Rule != "banned_terms" {
		t.Errorf("the good term of the file after restart: %+v", d)
	}
	out := logBuf.String()
	for _, want := range []string{"blocked term skipped", "file=" + file, "term=//", "matches empty text", "too complex"} {
		if !strings.Contains(out, want) {
			t.Errorf("log has no %q:\n%s", want, out)
		}
	}
	// The next !block saves the list without the refused terms.
	if d := c.say("kim", chat.RoleModerator, "!block pineapple"); !strings.Contains(replyText(d), "Blocked. 2 terms") {
		t.Errorf("!block after restart: %q", replyText(d))
	}
	data, err := os.ReadFile(file)
	if err != nil || strings.Contains(string(data), "//") || !strings.Contains(string(data), "grapes") {
		t.Errorf("saved list: %v\n%s", err, data)
	}
}
