package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// replayLines runs replay over JSONL chat with the shipped config, its data
// directory moved to dir, and returns the decisions in order.
func replayLines(t *testing.T, dir string, chat ...string) []map[string]any {
	t.Helper()
	in := filepath.Join(dir, "chat.jsonl")
	if err := os.WriteFile(in, []byte(strings.Join(chat, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := invoke(t, []string{"CHATDESK_BOT_DATA_DIR=" + dir}, "", "replay", "--config", shippedConfig, in)
	if o.err != nil {
		t.Fatalf("replay: %v\n%s", o.err, o.stderr)
	}
	var out []map[string]any
	for _, l := range lines(o.stdout) {
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("replay output %q: %v", l, err)
		}
		out = append(out, d)
	}
	if len(out) != len(chat) {
		t.Fatalf("replay printed %d decisions for %d lines", len(out), len(chat))
	}
	return out
}

// A viewer cannot slip spam past moderation by putting it behind a command.
func TestModerationComesBeforeViewerCommands(t *testing.T) {
	got := replayLines(t, t.TempDir(),
		`{"user":"spammer","text":"!help buy followers cheap at bit.ly/f0ll0w"}`,
		`{"user":"spammer2","text":"!ask buy followers cheap at bit.ly/f0ll0w"}`,
		`{"user":"kim","badges":"moderator/1","text":"!help"}`,
	)
	for i, want := range []string{"moderate", "moderate", "command"} {
		if got[i]["action"] != want {
			t.Errorf("line %d: action %v; want %s (%v)", i+1, got[i]["action"], want, got[i])
		}
	}
}

// Replay is a dry run: a moderator's !block in recorded chat applies for the
// rest of the replay but is not saved for the live bot.
func TestReplayDoesNotSaveBlockedTerms(t *testing.T) {
	dir := t.TempDir()
	got := replayLines(t, dir,
		`{"user":"kim","badges":"moderator/1","text":"!block zorbo"}`,
		`{"user":"ana","text":"zorbo zorbo"}`,
	)
	if got[1]["action"] != "moderate" {
		t.Errorf("the blocked term was not moderated within the replay: %v", got[1])
	}
	if _, err := os.Stat(filepath.Join(dir, "mira", "blocked.yaml")); !os.IsNotExist(err) {
		t.Errorf("replay saved the block list (stat: %v); want nothing written", err)
	}
}

// Lines without timestamps are replayed a second apart: two viewers
// chatting back and forth over twenty lines are chatty, not a flood, while
// the same lines all stamped with one second are.
func TestReplayWithoutTimestampsIsNotAFlood(t *testing.T) {
	var untimed, timed []string
	for i := 0; i < 20; i++ {
		user := []string{"ana", "bob"}[i%2]
		untimed = append(untimed, fmt.Sprintf(`{"user":%q,"text":"this boss fight is wild %d"}`, user, i))
		timed = append(timed, fmt.Sprintf(`{"user":%q,"text":"this boss fight is wild %d","time":"2026-11-01T18:00:00Z"}`, user, i))
	}
	for _, d := range replayLines(t, t.TempDir(), untimed...) {
		if d["action"] == "moderate" {
			t.Errorf("untimed line moderated: %v", d)
		}
	}
	flooded := false
	for _, d := range replayLines(t, t.TempDir(), timed...) {
		if d["action"] == "moderate" && d["rule"] == "flood" {
			flooded = true
		}
	}
	if !flooded {
		t.Error("twenty lines in the same second were not a flood")
	}
}
