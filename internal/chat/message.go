// Package chat holds the vocabulary every other part of chatdesk speaks: a
// chat message as the pipeline sees it, the decisions stages return, and the
// rules for text the bot posts. It imports no other chatdesk package.
package chat

import (
	"strings"
	"time"
)

// Roles is a set of the roles a chatter holds in a channel.
type Roles uint8

// The roles Twitch badges map to. A chatter can hold several.
const (
	RoleBroadcaster Roles = 1 << iota
	RoleModerator
	RoleVIP
	RoleSubscriber
)

// Has reports whether every role in r2 is in r.
func (r Roles) Has(r2 Roles) bool { return r&r2 == r2 }

// Privileged reports whether the chatter may run moderator commands: the
// broadcaster and moderators can, nobody else.
func (r Roles) Privileged() bool { return r&(RoleBroadcaster|RoleModerator) != 0 }

// String lists the roles, comma separated, for logs and replay output.
func (r Roles) String() string {
	var parts []string
	for _, x := range []struct {
		role Roles
		name string
	}{
		{RoleBroadcaster, "broadcaster"},
		{RoleModerator, "moderator"},
		{RoleVIP, "vip"},
		{RoleSubscriber, "subscriber"},
	} {
		if r.Has(x.role) {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ",")
}

// Emote is one emote occurrence in a message, located by rune offsets into
// Message.Text (Start inclusive, End exclusive), as Twitch's emote tags give them.
type Emote struct {
	ID    string
	Name  string
	Start int
	End   int
}

// Message is one chat message, whatever platform or file it came from.
type Message struct {
	// ID is the platform's message id; replies thread to it. Sources
	// without one (console, plain replay lines) make one up.
	ID string
	// Channel is the channel login, lower case, without '#'.
	Channel string
	// ChannelID is the platform's id for the channel (room id), if known.
	ChannelID string
	// UserID is the platform's id for the sender, if known.
	UserID string
	// User is the sender's login, lower case.
	User string
	// DisplayName is how the sender's name is shown in chat.
	DisplayName string
	Roles       Roles
	// First is set on a chatter's first message ever in the channel.
	First bool
	// Returning is set on a message from a chatter Twitch knows has
	// chatted in the channel before, though not lately: someone with a
	// history here, not a new account.
	Returning bool
	Text      string
	// Emotes are the platform emotes in Text.
	Emotes []Emote
	// ReplyParentID is the id of the message this one replies to, if any.
	ReplyParentID string
	// ReplyParentUser is the login of the author of the message replied to.
	ReplyParentUser string
	// SourceChannelID is set for shared-chat messages that came from another
	// channel's room.
	SourceChannelID string
	Time            time.Time

	// Reading is what the question detector made of Text. The channel's
	// pipeline fills it once, before any stage runs, so every stage sees
	// the same verdict without reading the line again. It is zero (Lang
	// empty) on a message no pipeline has read yet.
	Reading Reading
}

// Reading is the question detector's verdict on one message.
type Reading struct {
	// Question reports whether the line asks for something the bot might
	// answer.
	Question bool
	// Lang is the language the line is written in ("en", "zh"); never
	// empty once the line has been read.
	Lang string
	// Why names the cue that decided, for logs and replay output.
	Why string
}

// Read reports whether the message has been read by the question detector.
func (r Reading) Read() bool { return r.Lang != "" }

// Name is how to address the sender in chat: the display name when there is
// one, the login otherwise.
func (m Message) Name() string {
	if m.DisplayName != "" {
		return m.DisplayName
	}
	return m.User
}
