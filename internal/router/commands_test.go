package router_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/router"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text      string
		name      string
		args      string
		isCommand bool
	}{
		{"!help", "help", "", true},
		{"!faq when do you stream?", "faq", "when do you stream?", true},
		{"  !FAQ   Schedule  ", "faq", "Schedule", true},
		{"!Claim 12", "claim", "12", true},
		{"!answer 3 it's at 7pm", "answer", "3 it's at 7pm", true},
		{"!", "", "", false},
		{"! faq", "", "", false},
		{"", "", "", false},
		{"faq", "", "", false},
		{"hello !faq", "", "", false},
		{"what is !faq?", "", "", false},
		{"!问题 什么时候", "问题", "什么时候", true},
	}
	for _, tt := range tests {
		name, args, ok := router.ParseCommand(tt.text)
		if name != tt.name || args != tt.args || ok != tt.isCommand {
			t.Errorf("ParseCommand(%q) = %q, %q, %v; want %q, %q, %v", tt.text, name, args, ok, tt.name, tt.args, tt.isCommand)
		}
	}
}

// ranCommand records what a command was run with.
type ranCommand struct {
	msgs []chat.Message
	args []string
}

func (r *ranCommand) command(name string, privileged bool) chat.Command {
	return chat.Command{
		Name: name, Usage: "!" + name, Privileged: privileged,
		Run: func(_ context.Context, msg chat.Message, args string) chat.Decision {
			r.msgs = append(r.msgs, msg)
			r.args = append(r.args, args)
			return chat.Decision{Replies: []chat.Reply{{Text: name + " done", ParentID: msg.ID}}}
		},
	}
}

func TestCommandsPrivileged(t *testing.T) {
	tests := []struct {
		name    string
		roles   chat.Roles
		allowed bool
	}{
		{"viewer", 0, false},
		{"subscriber", chat.RoleSubscriber, false},
		{"vip", chat.RoleVIP, false},
		{"moderator", chat.RoleModerator, true},
		{"broadcaster", chat.RoleBroadcaster, true},
		{"subscribed moderator", chat.RoleModerator | chat.RoleSubscriber, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran ranCommand
			c := router.NewCommands(ran.command("resolve", true))
			d := c.Handle(context.Background(), chat.Message{ID: "m1", User: "x", Roles: tt.roles, Text: "!resolve 4"})
			if got, want := len(ran.msgs) == 1, tt.allowed; got != want {
				t.Errorf("!resolve from a %s ran: %v; want %v", tt.name, got, want)
			}
			if got, want := len(d.Replies) > 0, tt.allowed; got != want {
				t.Errorf("!resolve from a %s replied: %v (%+v); want %v", tt.name, got, d.Replies, want)
			}
			// Either way the command stage has dealt with it: a refused
			// moderator command must not go on to be answered as a question.
			if d.Action != chat.ActionCommand {
				t.Errorf("!resolve from a %s: Action = %q; want %q", tt.name, d.Action, chat.ActionCommand)
			}
			if tt.allowed && ran.args[0] != "4" {
				t.Errorf("!resolve ran with args %q; want %q", ran.args[0], "4")
			}
		})
	}
}

func TestCommandsUnknownPassesThrough(t *testing.T) {
	var ran ranCommand
	c := router.NewCommands(ran.command("faq", false))
	for _, text := range []string{"!discord", "!so someone", "!faqs", "when do you stream?", "!"} {
		d := c.Handle(context.Background(), chat.Message{Text: text, Roles: chat.RoleModerator})
		if d.Acted() {
			t.Errorf("Handle(%q) = %+v; want the zero decision so later stages see it", text, d)
		}
	}
	if len(ran.msgs) != 0 {
		t.Errorf("!faq ran %d times; want 0", len(ran.msgs))
	}
}

func TestCommandsInPipeline(t *testing.T) {
	var ran ranCommand
	answered := &calls{d: chat.Decision{Action: chat.ActionAnswer}}
	p := pipeline(router.NewCommands(ran.command("tickets", true)), answered)
	tests := []struct {
		text  string
		roles chat.Roles
		want  chat.Action
	}{
		{"!tickets", chat.RoleModerator, chat.ActionCommand},
		{"!tickets", 0, chat.ActionCommand}, // refused quietly, not answered
		{"!lurk", 0, chat.ActionAnswer},     // someone else's command goes on
	}
	for _, tt := range tests {
		if got := p.Process(context.Background(), chat.Message{Text: tt.text, Roles: tt.roles}); got.Action != tt.want {
			t.Errorf("Process(%q as %v).Action = %q; want %q", tt.text, tt.roles, got.Action, tt.want)
		}
	}
	if want := []string{"!lurk"}; len(answered.seen) != 1 || answered.seen[0] != want[0] {
		t.Errorf("answer stage saw %q; want %q", answered.seen, want)
	}
}

func TestCommandsCaseInsensitive(t *testing.T) {
	var ran ranCommand
	c := router.NewCommands(ran.command("FAQ", false))
	c.Handle(context.Background(), chat.Message{Text: "!Faq discord"})
	if len(ran.args) != 1 || ran.args[0] != "discord" {
		t.Errorf("!Faq ran with %q; want one run with %q", ran.args, "discord")
	}
}

func TestHelp(t *testing.T) {
	var ran ranCommand
	c := router.NewCommands(ran.command("faq", false), ran.command("resolve", true))
	tests := []struct {
		roles chat.Roles
		want  []string
		not   []string
	}{
		{0, []string{"!help", "!faq"}, []string{"!resolve"}},
		{chat.RoleModerator, []string{"!help", "!faq", "!resolve"}, nil},
	}
	for _, tt := range tests {
		d := c.Handle(context.Background(), chat.Message{ID: "m9", Text: "!help", Roles: tt.roles})
		if len(d.Replies) != 1 {
			t.Fatalf("!help as %q gave %d replies; want 1", tt.roles, len(d.Replies))
		}
		r := d.Replies[0]
		if r.ParentID != "m9" {
			t.Errorf("!help reply threads under %q; want m9", r.ParentID)
		}
		if n := len([]rune(r.Text)); n > chat.MaxMessageRunes {
			t.Errorf("!help is %d characters; want at most %d", n, chat.MaxMessageRunes)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("!help as %q = %q; want it to list %s", tt.roles, r.Text, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(r.Text, w) {
				t.Errorf("!help as %q = %q; want it not to list %s", tt.roles, r.Text, w)
			}
		}
	}
}

// TestCommandsStaffRepliesGoFirst: whatever priority a command gives its
// replies, a moderator's or the broadcaster's go out as staff replies (at
// the head of the send queue, never stale, never folded); a viewer's keep
// theirs.
func TestCommandsStaffRepliesGoFirst(t *testing.T) {
	fold := chat.Fold{Kind: "filed", To: "kim", Number: 3}
	cmd := chat.Command{Name: "answer", Usage: "!answer", Run: func(_ context.Context, msg chat.Message, _ string) chat.Decision {
		return chat.Decision{Replies: []chat.Reply{
			{Text: "@ana you asked …", ParentID: "ana-question", Priority: chat.PriorityTicket},
			{Text: "#3 answered", ParentID: msg.ID, Priority: chat.PriorityAck, Fold: fold},
		}}
	}}
	tests := []struct {
		name  string
		roles chat.Roles
		want  []chat.Priority
		fold  bool
	}{
		{"viewer", chat.RoleSubscriber, []chat.Priority{chat.PriorityTicket, chat.PriorityAck}, true},
		{"vip", chat.RoleVIP, []chat.Priority{chat.PriorityTicket, chat.PriorityAck}, true},
		{"moderator", chat.RoleModerator, []chat.Priority{chat.PriorityStaff, chat.PriorityStaff}, false},
		{"broadcaster", chat.RoleBroadcaster, []chat.Priority{chat.PriorityStaff, chat.PriorityStaff}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := router.NewCommands(cmd).Handle(context.Background(), chat.Message{ID: "m1", User: "kim", Roles: tt.roles, Text: "!answer 3 yes"})
			var got []chat.Priority
			for _, r := range d.Replies {
				got = append(got, r.Priority)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("priorities %v; want %v", got, tt.want)
			}
			if folds := d.Replies[1].Fold.Kind != ""; folds != tt.fold {
				t.Errorf("the reply folds: %v; want %v", folds, tt.fold)
			}
			if d.Replies[0].ParentID != "ana-question" || d.Replies[1].ParentID != "m1" {
				t.Errorf("threads %q, %q; want them kept", d.Replies[0].ParentID, d.Replies[1].ParentID)
			}
		})
	}
}
