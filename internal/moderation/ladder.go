package moderation

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Step is one rung of a penalty ladder: what happens to a message and its
// author. A step can combine actions ("delete+warn").
type Step struct {
	Warn    bool
	Delete  bool
	Timeout time.Duration
	Ban     bool
}

// DefaultLadder is warn → delete → timeout 60s → timeout 10m → ban. Rules
// about style start on the first step, spam and links on the second, so a
// link's first offence is "strike 1/4" and its fourth a ban.
func DefaultLadder() []Step {
	return []Step{
		{Warn: true},
		{Delete: true},
		{Timeout: time.Minute},
		{Timeout: 10 * time.Minute},
		{Ban: true},
	}
}

// ParseStep reads a step as config files write it: "warn", "delete",
// "timeout 60s", "ban", or several joined by "+" ("delete+warn").
func ParseStep(s string) (Step, error) {
	var st Step
	if strings.TrimSpace(s) == "" {
		return st, fmt.Errorf("empty step (want warn, delete, timeout <duration> or ban)")
	}
	for part := range strings.SplitSeq(s, "+") {
		f := strings.Fields(strings.ToLower(part))
		if len(f) == 0 {
			return st, fmt.Errorf("step %q has an empty part", s)
		}
		switch {
		case f[0] == "warn" && len(f) == 1:
			st.Warn = true
		case f[0] == "delete" && len(f) == 1:
			st.Delete = true
		case f[0] == "ban" && len(f) == 1:
			st.Ban = true
		case f[0] == "timeout":
			if len(f) != 2 {
				return st, fmt.Errorf("step %q: want \"timeout <duration>\", e.g. timeout 10m", s)
			}
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return st, fmt.Errorf("step %q: want a duration like 60s or 10m, got %q", s, f[1])
			}
			// Twitch accepts timeouts from one second to two weeks.
			if d < time.Second || d > 14*24*time.Hour {
				return st, fmt.Errorf("step %q: a timeout lasts from 1s to 336h (two weeks)", s)
			}
			st.Timeout = d
		default:
			return st, fmt.Errorf("unknown step %q (want warn, delete, timeout <duration> or ban, joined by +)", s)
		}
	}
	if st.Ban && st.Timeout > 0 {
		return st, fmt.Errorf("step %q both times out and bans; pick one", s)
	}
	return st, nil
}

// String writes the step the way ParseStep reads it; it is the "penalty" of
// replay output.
func (s Step) String() string {
	var parts []string
	if s.Delete && s.Timeout == 0 && !s.Ban {
		parts = append(parts, "delete")
	}
	if s.Warn {
		parts = append(parts, "warn")
	}
	if s.Timeout > 0 {
		parts = append(parts, "timeout "+formatDuration(s.Timeout))
	}
	if s.Ban {
		parts = append(parts, "ban")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// formatDuration writes 60s as "60s" and 600s as "10m", the way people
// write them in config files.
func formatDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d > time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// enforcements turns the step into the actions a sink carries out. A
// timeout or ban removes the author's messages on Twitch anyway, so a
// delete alongside one is left out.
func (s Step) enforcements(msg *chat.Message, reason string) []chat.Enforcement {
	var out []chat.Enforcement
	target := chat.Enforcement{Reason: reason, UserID: msg.UserID, User: msg.User}
	switch {
	case s.Ban:
		e := target
		e.Kind = chat.PenaltyBan
		out = append(out, e)
	case s.Timeout > 0:
		e := target
		e.Kind = chat.PenaltyTimeout
		e.Duration = s.Timeout
		out = append(out, e)
	case s.Delete:
		e := target
		e.Kind = chat.PenaltyDelete
		e.MessageID = msg.ID
		out = append(out, e)
	}
	if s.Warn {
		e := target
		e.Kind = chat.PenaltyWarn
		out = append(out, e)
	}
	return out
}
