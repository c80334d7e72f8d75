package twitch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// TestSinkRefusedAcknowledgement: when the send queue has no room for a
// viewer's acknowledgement, the error the router logs says the ticket was
// filed all the same and how the viewer can still learn its number.
func TestSinkRefusedAcknowledgement(t *testing.T) {
	sender := chat.NewSender(&nowhere{}, chat.SenderConfig{QueueSize: 1})
	s := twitch.NewSink(twitch.SinkConfig{Sender: sender})
	if err := sender.Send("mira", chat.Reply{Text: "a moderator's reply", Priority: chat.PriorityStaff}); err != nil {
		t.Fatal(err)
	}
	msg := chat.Message{ID: "m1", Channel: "mira", User: "ana"}
	ack := chat.Decision{Action: chat.ActionEscalate, Ticket: "#3", Replies: []chat.Reply{{Text: "got it — a moderator will answer (ticket #3)", ParentID: "m1", Priority: chat.PriorityAck}}}
	err := s.Deliver(context.Background(), msg, ack)
	if !errors.Is(err, chat.ErrQueueFull) || !strings.Contains(err.Error(), "ticket #3 (filed all the same; !ticket shows it)") {
		t.Errorf("Deliver = %v; want the queue full, saying ticket #3 is filed and !ticket shows it", err)
	}
	if st := sender.Stats(); st.Rejected != 1 || st.Queued != 1 {
		t.Errorf("stats %+v; want the acknowledgement refused, counted, the moderator's reply kept", st)
	}
}
