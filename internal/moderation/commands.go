package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// BlockSaver keeps a channel's !block list between runs.
type BlockSaver interface {
	Save(terms []string) error
}

// commands are the moderator commands that steer one channel's engine.
type commands struct {
	engine  *Engine
	blocked BlockSaver
	log     *slog.Logger
}

// Commands returns the moderator commands that steer e: !permit, !strikes,
// !pardon, !rules, !shadow, !block and !unblock, all for the broadcaster
// and moderators only. blocked keeps the !block list (nil keeps it for the
// run only); log may be nil.
func Commands(e *Engine, blocked BlockSaver, log *slog.Logger) []chat.Command {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &commands{engine: e, blocked: blocked, log: log}
	return []chat.Command{
		{Name: "permit", Usage: "!permit <user> [seconds]", Privileged: true, Run: m.permit},
		{Name: "strikes", Usage: "!strikes <user>", Privileged: true, Run: m.strikes},
		{Name: "pardon", Usage: "!pardon <user> [undo]", Privileged: true, Run: m.pardon},
		{Name: "rules", Usage: "!rules", Privileged: true, Run: m.rules},
		{Name: "shadow", Usage: "!shadow <rule> on|off", Privileged: true, Run: m.shadow},
		{Name: "block", Usage: "!block <term>", Privileged: true, Run: m.block},
		{Name: "unblock", Usage: "!unblock <term>", Privileged: true, Run: m.unblock},
	}
}

// save keeps the list, when there is somewhere to keep it.
func (m *commands) save(terms []string) error {
	if m.blocked == nil {
		return nil
	}
	return m.blocked.Save(terms)
}

// reply answers a moderator's command in a thread under it.
func reply(msg chat.Message, format string, args ...any) chat.Decision {
	return chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{
		Text: fmt.Sprintf(format, args...), ParentID: msg.ID, Priority: chat.PriorityCommand,
	}}}
}

// login reads a user argument as chat.NormalizeLogin does: "@Bob" is bob,
// and "\u202eadmin" is admin, the login the moderator saw. ok is false
// when the argument is no Twitch login.
func login(arg string) (string, bool) { return chat.NormalizeLogin(arg) }

// permit is "!permit user [secs]": the user may post links for that long
// (the links rule's permit time by default).
func (m *commands) permit(_ context.Context, msg chat.Message, args string) chat.Decision {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 {
		return reply(msg, "Usage: !permit <user> [seconds]")
	}
	var d time.Duration
	if len(f) == 2 {
		var err error
		d, err = parseSeconds(f[1])
		if err != nil {
			return reply(msg, "Usage: !permit <user> [seconds] — %q is not a number of seconds", f[1])
		}
	}
	user, ok := login(f[0])
	if !ok {
		return reply(msg, "Usage: !permit <user> [seconds] — %q is not a Twitch login", f[0])
	}
	d = m.engine.Permit(user, d, msg.Time)
	return reply(msg, "@%s may post links for the next %s.", user, formatSpan(d))
}

// parseSeconds reads "90" as 90 seconds, and also takes "90s" or "5m".
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 24*3600 {
			return 0, fmt.Errorf("out of range")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("not a duration")
	}
	return d, nil
}

// formatSpan writes a span of time the way chat says it: "1m", "1h30m".
func formatSpan(d time.Duration) string { return chat.FormatDuration(max(d, 0), 4) }

func (m *commands) strikes(_ context.Context, msg chat.Message, args string) chat.Decision {
	user, ok := login(args)
	if !ok {
		return reply(msg, "Usage: !strikes <user>")
	}
	st := m.engine.Standing(user, msg.Time)
	if st.Strikes == 0 {
		return reply(msg, "@%s has no strikes.", user)
	}
	now := msg.Time
	if now.IsZero() {
		now = time.Now()
	}
	return reply(msg, "@%s has %d strike%s — last: %s, %s ago; one is forgiven in %s.",
		user, st.Strikes, plural(st.Strikes), st.LastRule, formatSpan(now.Sub(st.LastAt)), formatSpan(st.Forgiven.Sub(now)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pardon is "!pardon user [undo]": strikes cleared; with undo, a timeout
// or ban is lifted too.
func (m *commands) pardon(_ context.Context, msg chat.Message, args string) chat.Decision {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 || (len(f) == 2 && !strings.EqualFold(f[1], "undo")) {
		return reply(msg, "Usage: !pardon <user> [undo]")
	}
	user, ok := login(f[0])
	if !ok {
		return reply(msg, "Usage: !pardon <user> [undo] — %q is not a Twitch login", f[0])
	}
	st := m.engine.Pardon(user, msg.Time)
	m.log.Info("pardon", "user", user, "by", msg.User, "strikes", st.Strikes, "undo", len(f) == 2)
	if len(f) == 1 {
		return reply(msg, "@%s's strikes are cleared (%d before).", user, st.Strikes)
	}
	d := reply(msg, "@%s's strikes are cleared (%d before) and any timeout or ban is lifted.", user, st.Strikes)
	d.Enforcements = []chat.Enforcement{{
		Kind: chat.PenaltyUnban, User: user, UserID: st.UserID,
		Reason: "pardoned by " + msg.User,
	}}
	return d
}

// rules is "!rules": what is on, what is in shadow mode, and where each
// rule starts on the ladder.
func (m *commands) rules(_ context.Context, msg chat.Message, _ string) chat.Decision {
	var on, shadow, off []string
	for _, r := range m.engine.RuleStates() {
		switch {
		case !r.Enabled:
			off = append(off, r.Name)
		case r.Shadow:
			shadow = append(shadow, r.Name)
		default:
			on = append(on, r.Name+" ("+r.First.String()+")")
		}
	}
	text := "Rules: " + strings.Join(on, ", ")
	if len(shadow) > 0 {
		text += " · shadow: " + strings.Join(shadow, ", ")
	}
	if len(off) > 0 {
		text += " · off: " + strings.Join(off, ", ")
	}
	return reply(msg, "%s", text)
}

// shadow is "!shadow <rule> on|off", until the bot restarts.
func (m *commands) shadow(_ context.Context, msg chat.Message, args string) chat.Decision {
	f := strings.Fields(strings.ToLower(args))
	if len(f) != 2 || (f[1] != "on" && f[1] != "off") {
		return reply(msg, "Usage: !shadow <rule> on|off — rules: %s", strings.Join(RuleNames(), ", "))
	}
	err := m.engine.SetShadow(f[0], f[1] == "on")
	switch {
	case errors.Is(err, ErrUnknownRule):
		return reply(msg, "There is no rule %q — rules: %s", f[0], strings.Join(RuleNames(), ", "))
	case errors.Is(err, ErrRuleOff):
		return reply(msg, "%s is off in this channel's config; turn it on there first.", f[0])
	case err != nil:
		m.log.Error("shadow", "rule", f[0], "err", err)
		return reply(msg, "That didn't work; the log says why.")
	}
	m.log.Info("shadow", "rule", f[0], "on", f[1] == "on", "by", msg.User)
	if f[1] == "on" {
		return reply(msg, "%s is in shadow mode: it decides and records, but acts on nothing, until restart.", f[0])
	}
	return reply(msg, "%s acts again.", f[0])
}

func (m *commands) block(_ context.Context, msg chat.Message, args string) chat.Decision {
	term := strings.TrimSpace(args)
	if term == "" {
		return reply(msg, "Usage: !block <word or phrase> (or /regexp/)")
	}
	terms, err := m.engine.Block(term)
	if err != nil {
		// The reason can quote the term back; cut it so the reply is one
		// chat message.
		return reply(msg, "Can't block that: %s", shorten(err.Error(), maxReasonRunes))
	}
	if err := m.save(terms); err != nil {
		m.log.Error("block", "term", term, "err", err)
		return reply(msg, "Blocked until the bot restarts — saving the list failed; the log says why.")
	}
	m.log.Info("block", "term", term, "by", msg.User)
	return reply(msg, "Blocked. %d term%s on the block list.", len(terms), plural(len(terms)))
}

func (m *commands) unblock(_ context.Context, msg chat.Message, args string) chat.Decision {
	term := strings.TrimSpace(args)
	if term == "" {
		return reply(msg, "Usage: !unblock <term>")
	}
	terms, ok := m.engine.Unblock(term)
	if !ok {
		return reply(msg, "%q is not on the block list (terms in config.yaml are changed there).", shorten(term, maxQuotedTermRunes))
	}
	if err := m.save(terms); err != nil {
		m.log.Error("unblock", "term", term, "err", err)
		return reply(msg, "Unblocked until the bot restarts — saving the list failed; the log says why.")
	}
	m.log.Info("unblock", "term", term, "by", msg.User)
	return reply(msg, "Unblocked. %d term%s left on the block list.", len(terms), plural(len(terms)))
}
