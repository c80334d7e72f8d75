// Package twitch connects chatdesk to Twitch: it turns go-twitch-irc events
// into chat.Message values and carries decisions back out. It decides
// nothing itself.
package twitch

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	twitch "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// BadgeRole maps one Twitch badge name (without its "/version" suffix) to
// the role it grants. Badges that grant nothing the bot cares about, such
// as "turbo" or "bits", map to no role. Replay uses the same mapping for
// badges written by hand, so a recorded file and live chat agree.
func BadgeRole(name string) chat.Roles {
	switch name {
	case "broadcaster":
		return chat.RoleBroadcaster
	case "moderator", "lead_moderator":
		return chat.RoleModerator
	case "vip":
		return chat.RoleVIP
	case "subscriber", "founder":
		return chat.RoleSubscriber
	}
	return 0
}

// MessageFromPrivate converts a chat message from go-twitch-irc into the
// form the rest of the bot works with. It is the only place an IRC message
// type is looked at, so everything Twitch-specific is settled here:
//
//   - Roles come from the badges, and also from the older mod=1 and
//     subscriber=1 tags, because some clients and recordings carry only
//     those. go-twitch-irc's own IsMod/IsVip flags are not enough on their
//     own: with badges present it records at most one role.
//   - When the message is a reply, Twitch puts "@parent " in front of what
//     the viewer typed. That mention is removed (and emote offsets moved
//     with it): the parent is already in ReplyParentUser, and leaving it in
//     would make every reply look like a mention to the moderation rules
//     and would put a stray name in front of every question the answer
//     matcher reads. A reply that is nothing but the mention keeps it, so
//     the text never becomes empty.
//   - Emote positions are clamped to the text and impossible ones dropped,
//     so a consumer can slice Text with them without checking.
func MessageFromPrivate(m twitch.PrivateMessage) chat.Message {
	msg := chat.Message{
		ID:          m.ID,
		Channel:     strings.ToLower(strings.TrimPrefix(m.Channel, "#")),
		ChannelID:   m.RoomID,
		UserID:      m.User.ID,
		User:        login(m.User),
		DisplayName: m.User.DisplayName,
		Roles:       roles(m),
		First:       m.FirstMessage || m.Tags["first-msg"] == "1",
		Returning:   m.Tags["returning-chatter"] == "1",
		Text:        m.Message,
		Time:        sentTime(m),
	}
	emotes := emoteSpans(m.Emotes, utf8.RuneCountInString(m.Message))

	if m.Reply != nil {
		msg.ReplyParentID = m.Reply.ParentMsgID
		msg.ReplyParentUser = strings.ToLower(m.Reply.ParentUserLogin)
		if rest, cut := stripMention(m.Message, m.Reply); cut > 0 {
			msg.Text = rest
			emotes = shiftSpans(emotes, cut)
		}
	}
	if m.Source != nil && m.Source.RoomID != "" && m.Source.RoomID != m.RoomID {
		msg.SourceChannelID = m.Source.RoomID
	}
	msg.Emotes = nameSpans(emotes, msg.Text)
	return msg
}

// login is the sender's login. The IRC prefix normally carries it; when a
// recording lost the prefix, a display name that is plain ASCII is the
// login in another case, which is better than no sender at all.
func login(u twitch.User) string {
	if u.Name != "" {
		return strings.ToLower(u.Name)
	}
	if isLogin(u.DisplayName) {
		return strings.ToLower(u.DisplayName)
	}
	return ""
}

func isLogin(s string) bool {
	if s == "" || len(s) > 25 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func roles(m twitch.PrivateMessage) chat.Roles {
	var r chat.Roles
	for name := range m.User.Badges {
		r |= BadgeRole(name)
	}
	if m.User.IsBroadcaster {
		r |= chat.RoleBroadcaster
	}
	if m.User.IsMod || m.Tags["mod"] == "1" {
		r |= chat.RoleModerator
	}
	if m.User.IsVip {
		r |= chat.RoleVIP
	}
	if m.Tags["subscriber"] == "1" {
		r |= chat.RoleSubscriber
	}
	return r
}

// sentTime reads tmi-sent-ts itself because go-twitch-irc turns an
// unreadable stamp into 1970 rather than into "unknown".
func sentTime(m twitch.PrivateMessage) time.Time {
	raw, ok := m.Tags["tmi-sent-ts"]
	if !ok {
		if m.Time.IsZero() {
			return time.Time{}
		}
		return m.Time.UTC()
	}
	ms, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// span is an emote position before its name is known, in rune offsets with
// an exclusive end.
type span struct {
	id         string
	start, end int
}

// emoteSpans flattens Twitch's per-emote position lists (inclusive ends)
// into spans that fit a text of n runes.
func emoteSpans(emotes []*twitch.Emote, n int) []span {
	var out []span
	for _, e := range emotes {
		if e == nil {
			continue
		}
		for _, p := range e.Positions {
			start, end := p.Start, p.End+1
			if end > n {
				end = n
			}
			if start < 0 || start >= end {
				continue
			}
			out = append(out, span{id: e.ID, start: start, end: end})
		}
	}
	slices.SortStableFunc(out, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	return out
}

// shiftSpans moves spans left by cut runes, dropping those that lay in the
// removed prefix.
func shiftSpans(spans []span, cut int) []span {
	out := spans[:0]
	for _, s := range spans {
		if s.start < cut {
			continue
		}
		s.start -= cut
		s.end -= cut
		out = append(out, s)
	}
	return out
}

// nameSpans fills in each emote's name from the text it covers, which is
// what the viewer typed even when Twitch's own name lookup would disagree.
func nameSpans(spans []span, text string) []chat.Emote {
	if len(spans) == 0 {
		return nil
	}
	runes := []rune(text)
	out := make([]chat.Emote, 0, len(spans))
	for _, s := range spans {
		if s.end > len(runes) {
			s.end = len(runes)
		}
		if s.start >= s.end {
			continue
		}
		out = append(out, chat.Emote{ID: s.id, Name: string(runes[s.start:s.end]), Start: s.start, End: s.end})
	}
	return out
}

// stripMention removes the "@parent " Twitch puts in front of a reply and
// reports how many runes went. Clients write either the parent's login or
// display name, in any case, so both are accepted.
func stripMention(text string, r *twitch.Reply) (string, int) {
	if !strings.HasPrefix(text, "@") {
		return text, 0
	}
	for _, name := range []string{r.ParentUserLogin, r.ParentDisplayName} {
		if name == "" || len(text) < 1+len(name) || !strings.EqualFold(text[1:1+len(name)], name) {
			continue
		}
		after := text[1+len(name):]
		if after != "" && after[0] != ' ' {
			continue
		}
		rest := strings.TrimLeft(after, " ")
		if rest == "" {
			return text, 0
		}
		return rest, utf8.RuneCountInString(text[:len(text)-len(rest)])
	}
	return text, 0
}
