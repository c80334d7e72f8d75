package router_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
	"github.com/chatdesk/chatdesk/internal/router"
)

// TestHelpPointsToKnowledgeBase: with a knowledge base, !help and an !faq
// without an answer end with its address; an answer from !faq does not.
func TestHelpPointsToKnowledgeBase(t *testing.T) {
	base, _ := filepath.Abs("testdata/tiny.yaml")
	entries, err := answer.LoadFAQ(base)
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := answer.Build(entries)
	det := question.Detector{Names: []string{"chatdesk", "mira"}}
	ch := router.NewChannel(router.Parts{
		Name: "mira", Reader: det, Responder: answer.NewResponder(ix, det, answer.Settings{}, nil, nil),
		KnowledgeBase: "https://desk.example.com/c/mira",
	})
	defer ch.Close()
	say := func(text string) string {
		d := ch.Pipeline().Process(context.Background(), chat.Message{ID: text, Channel: "mira", User: "ana", Text: text, Time: time.Now()})
		return texts(d)
	}
	for _, tc := range []struct {
		text  string
		point bool
	}{
		{"!help", true},
		{"!faq", true},
		{"!faq how do I bake bread in a volcano", true},
		{"!faq " + entries[0].ID, false},
	} {
		if got := strings.HasSuffix(say(tc.text), "all answers: https://desk.example.com/c/mira"); got != tc.point {
			t.Errorf("%s → %q; pointer %v, want %v", tc.text, say(tc.text), got, tc.point)
		}
	}
}
