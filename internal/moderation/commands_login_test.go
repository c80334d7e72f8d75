package moderation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// runCommand runs one of Commands' commands as a moderator would.
func runCommand(t *testing.T, e *Engine, line string, at time.Time) string {
	t.Helper()
	name, args, _ := strings.Cut(strings.TrimPrefix(line, "!"), " ")
	for _, c := range Commands(e, nil, nil) {
		if c.Name == name {
			d := c.Run(context.Background(), chat.Message{ID: "m", User: "kim", Roles: chat.RoleModerator, Text: line, Time: at}, args)
			if len(d.Replies) != 1 {
				t.Fatalf("%s: %d replies; want 1", line, len(d.Replies))
			}
			return d.Replies[0].Text
		}
	}
	t.Fatalf("no command %q", name)
	return ""
}

// TestCommandsNormalizeLogins: the user a moderator names is the login
// they saw, whatever invisible characters came with it; what is no login
// gets the usage.
func TestCommandsNormalizeLogins(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"!permit \u202eadmin", "@admin may post links for the next 1m."},
		{"!permit @Ad\u200bMin 90", "@admin may post links for the next 1m30s."},
		{"!permit \u202e", `Usage: !permit <user> [seconds] — "\u202e" is not a Twitch login`},
		{"!permit bob!", `Usage: !permit <user> [seconds] — "bob!" is not a Twitch login`},
		{"!strikes \u2066bob\u2069", "@bob has no strikes."},
		{"!strikes bob smith", "Usage: !strikes <user>"},
		{"!strikes \u200b", "Usage: !strikes <user>"},
		{"!pardon \u202eBob", "@bob's strikes are cleared (0 before)."},
		{"!pardon b\u00f6b undo", `Usage: !pardon <user> [undo] — "böb" is not a Twitch login`},
	}
	for _, tt := range tests {
		e := newEngine(t, DefaultSettings(), newClock())
		if got := runCommand(t, e, tt.line, newClock().now()); got != tt.want {
			t.Errorf("%q replied %q; want %q", tt.line, got, tt.want)
		}
	}
}

// TestPermitActsOnTheLoginShown: "!permit \u202eadmin" lets admin post a
// link, not a login with the invisible character in it.
func TestPermitActsOnTheLoginShown(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	runCommand(t, e, "!permit \u202eadmin", c.now())
	if v := e.Check(msgAt(linkMsg("admin"), c.now())); v.Rule != "" {
		t.Errorf("admin's link after the permit: %s %s; want it let through", v.Rule, v.Step)
	}
}
