package router

import (
	"context"
	"sort"
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Commands is the command stage: it recognises "!name args" messages and
// runs the registered command.
type Commands struct {
	byName map[string]chat.Command
}

// NewCommands returns a command stage with !help built in.
func NewCommands(cmds ...chat.Command) *Commands {
	c := &Commands{byName: map[string]chat.Command{}}
	c.Add(chat.Command{Name: "help", Usage: "!help", Run: c.help})
	for _, cmd := range cmds {
		c.Add(cmd)
	}
	return c
}

// Add registers cmd, replacing one of the same name.
func (c *Commands) Add(cmd chat.Command) { c.byName[strings.ToLower(cmd.Name)] = cmd }

// ParseCommand splits "!name args" into its lower-cased name and the trimmed
// rest. ok is false when text is not a command.
func ParseCommand(text string) (name, args string, ok bool) {
	text = strings.TrimSpace(text)
	if len(text) < 2 || text[0] != '!' {
		return "", "", false
	}
	name, args, _ = strings.Cut(text[1:], " ")
	if name == "" {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(args), true
}

// Handle implements Stage. Commands it does not know are left alone: other
// bots in the channel may own them.
func (c *Commands) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	name, args, ok := ParseCommand(msg.Text)
	if !ok {
		return chat.Decision{}
	}
	cmd, ok := c.byName[name]
	if !ok {
		return chat.Decision{}
	}
	if cmd.Privileged && !msg.Roles.Privileged() {
		return chat.Decision{Action: chat.ActionCommand, Note: "not permitted: !" + name}
	}
	d := cmd.Run(ctx, msg, args)
	if d.Action == "" {
		d.Action = chat.ActionCommand
	}
	if msg.Roles.Privileged() {
		d.Replies = forStaff(d.Replies)
	}
	return d
}

// forStaff puts every reply to a moderator's or the broadcaster's command
// at the head of the send queue, where it never goes stale: they run the
// channel, and during a flood of viewers their "!tickets" or "!strikes"
// must not wait behind the viewers' acknowledgements, nor expire. That
// includes what the command sends to viewers (the answers !answer
// delivers), which is the moderator's work reaching its audience. They go
// out one by one, threaded, never folded with viewers' replies.
func forStaff(replies []chat.Reply) []chat.Reply {
	if len(replies) == 0 {
		return replies
	}
	out := make([]chat.Reply, len(replies))
	for i, r := range replies {
		r.Priority, r.Fold = chat.PriorityStaff, chat.Fold{}
		out[i] = r
	}
	return out
}

// help lists the commands the asker may use, in one chat message.
func (c *Commands) help(_ context.Context, msg chat.Message, _ string) chat.Decision {
	var usages []string
	for _, cmd := range c.byName {
		if cmd.Privileged && !msg.Roles.Privileged() {
			continue
		}
		usages = append(usages, cmd.Usage)
	}
	sort.Strings(usages)
	text := "Ask me anything in plain words, or: " + strings.Join(usages, " · ")
	return chat.Decision{
		Action:  chat.ActionCommand,
		Replies: []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityCommand}},
	}
}
