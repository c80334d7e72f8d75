package escalation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// unreachable is a store whose every new ticket fails, as a Redis outage
// without a spool would.
type unreachable struct{ escalation.Store }

func (unreachable) Create(context.Context, escalation.NewTicket) (escalation.Ticket, bool, error) {
	return escalation.Ticket{}, false, escalation.ErrUnavailable
}

// TestSuggestionLeavesChat: with SuggestDelete, a viewer's !suggest is
// deleted from chat, whether or not the box took it, and the reply is not
// threaded under it (a thread would quote it back). A moderator's, which
// Twitch would not delete, stays and is answered in a thread.
func TestSuggestionLeavesChat(t *testing.T) {
	set := defaultSettings()
	set.SuggestDelete, set.SuggestLimit = true, 1
	tests := []struct {
		name      string
		store     escalation.Store
		roles     chat.Roles
		text      string
		reply     string
		deleted   bool
		suggested int
	}{
		{"filed", escalation.NewMemoryStore(), 0, "!suggest a charity stream", "@ana thanks — your suggestion is in the box, anonymously", true, 1},
		{"the box is unreachable", unreachable{escalation.NewMemoryStore()}, 0, "!suggest a charity stream", "@ana the suggestion box is unreachable right now — try again in a minute", true, 0},
		{"a moderator's stays", escalation.NewMemoryStore(), chat.RoleModerator, "!suggest a charity stream", "thanks — your suggestion is in the box, anonymously", false, 1},
		{"no idea, nothing to hide", escalation.NewMemoryStore(), 0, "!suggest", "suggest like this: !suggest <your idea>", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDesk(t, tt.store, set, nil)
			msg := h.message("ana", tt.roles, tt.text)
			d := h.said(msg)
			if len(d.Replies) != 1 || d.Replies[0].Text != tt.reply {
				t.Fatalf("replies %q; want %q", texts(d), tt.reply)
			}
			if threaded := d.Replies[0].ParentID != ""; threaded == tt.deleted {
				t.Errorf("reply threaded under %q; want threaded %v", d.Replies[0].ParentID, !tt.deleted)
			}
			want := []chat.Enforcement(nil)
			if tt.deleted {
				want = []chat.Enforcement{{Kind: chat.PenaltyDelete, MessageID: msg.ID, Private: true, Reason: "a suggestion for the box, kept out of public chat"}}
			}
			if len(d.Enforcements) != len(want) || len(want) == 1 && d.Enforcements[0] != want[0] {
				t.Errorf("enforcements %+v; want %+v", d.Enforcements, want)
			}
			if d.Rule != "" || d.Penalty != "" || d.Action != chat.ActionCommand {
				t.Errorf("decision %+v; want a command, no rule or penalty: nobody is punished", d)
			}
			all, err := h.store.List(context.Background(), "mira", escalation.Filter{})
			if err != nil && !errors.Is(err, escalation.ErrUnavailable) {
				t.Fatal(err)
			}
			if len(all) != tt.suggested {
				t.Errorf("%d suggestions filed; want %d", len(all), tt.suggested)
			}
		})
	}
	// Over the limit the idea is not filed, and still not left in chat.
	h := newDesk(t, escalation.NewMemoryStore(), set, nil)
	h.viewer("ana", "!suggest one")
	d := h.viewer("ana", "!suggest two")
	if !strings.Contains(texts(d), "try again later") || len(d.Enforcements) != 1 || !d.Enforcements[0].Private {
		t.Errorf("second suggestion: %q %+v; want the limit's reply and the message deleted", texts(d), d.Enforcements)
	}
	// Off, a suggestion stays in chat, answered in its thread.
	set.SuggestDelete = false
	h = newDesk(t, escalation.NewMemoryStore(), set, nil)
	if d := h.viewer("ana", "!suggest one"); len(d.Enforcements) != 0 || d.Replies[0].ParentID == "" {
		t.Errorf("with SuggestDelete off: %+v; want the message left alone and the reply threaded", d)
	}
}
