package escalation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// TestAnsweredSuggestionStaysOutOfChat: an answer to a suggestion, from
// chat or the web desk, goes to nobody: addressed to the box it would quote
// the suggestion in public chat.
func TestAnsweredSuggestionStaysOutOfChat(t *testing.T) {
	h := newDesk(t, escalation.NewMemoryStore(), defaultSettings(), nil)
	h.viewer("zoe", "!suggest more horror games")
	h.viewer("zoe", "!suggest a cooking stream")
	dec := h.mod("kim", "!answer 1 we'll try one in October")
	if strings.Contains(texts(dec), "horror") || strings.Contains(texts(dec), escalation.AnonymousLogin) {
		t.Errorf("!answer on a suggestion posts %q", texts(dec))
	}
	w, err := h.Do(context.Background(), escalation.Work{Action: "answer", Number: 2, By: "kim", ID: "w1", Text: "soon"})
	if err != nil || w.Refused {
		t.Fatalf("answer from the desk: %+v, %v", w, err)
	}
	if len(w.Chat.Replies) != 0 {
		t.Errorf("the desk posts %q for a suggestion", texts(w.Chat))
	}
}

// TestWorkChecksRevision: of two moderators acting on the revision they
// both saw, one wins and the other is told, in the words chat uses.
func TestWorkChecksRevision(t *testing.T) {
	h := newDesk(t, escalation.NewMemoryStore(), defaultSettings(), nil)
	h.viewer("ana", "!ask when is the next collab?")
	seen := h.ticket(1).Revision
	ctx := context.Background()
	won, err := h.Do(ctx, escalation.Work{Action: "claim", Number: 1, Rev: seen, By: "kim", ID: "a"})
	if err != nil || won.Refused || won.Ticket.ClaimedBy != "kim" {
		t.Fatalf("first claim: %+v, %v", won, err)
	}
	lost, err := h.Do(ctx, escalation.Work{Action: "claim", Number: 1, Rev: seen, By: "lea", ID: "b"})
	if err != nil || !lost.Refused || !strings.Contains(lost.Note, "changed meanwhile") {
		t.Fatalf("second claim: %+v, %v", lost, err)
	}
	again, err := h.Do(ctx, escalation.Work{Action: "answer", Number: 1, By: "lea", ID: "c", Text: "Friday"})
	if err != nil || !again.Refused || !strings.Contains(again.Note, "claimed by kim") {
		t.Fatalf("answer over a claim: %+v, %v", again, err)
	}
	if _, err := h.Do(ctx, escalation.Work{Action: "frobnicate", Number: 1, By: "kim"}); !errors.Is(err, escalation.ErrUnknownWork) {
		t.Errorf("unknown action: %v", err)
	}
	if w, _ := h.Do(ctx, escalation.Work{Action: "claim", Number: 99, By: "kim", ID: "d"}); !w.Refused || !strings.Contains(w.Note, "no ticket #99") {
		t.Errorf("missing ticket: %+v", w)
	}
}
