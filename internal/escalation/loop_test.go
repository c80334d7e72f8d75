package escalation_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// TestRunPostsRemindersAndStops runs the desk's loop in a bubble of fake
// time: ten minutes pass in no time, and the loop must have posted one
// reminder and stop when its context ends.
func TestRunPostsRemindersAndStops(t *testing.T) {
	s, err := escalation.OpenBolt(filepath.Join(t.TempDir(), "tickets.db"), escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	synctest.Test(t, func(t *testing.T) {
		d := escalation.NewDesk(escalation.Config{Channel: "mira", Store: s, Settings: defaultSettings(), Names: []string{"chatdesk", "mira"}})
		var sink recorder
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- d.Run(ctx, &sink, 30*time.Second) }()

		msg := chat.Message{ID: "m1", Channel: "mira", User: "ana", Text: "!ask when is the next collab?", Time: time.Now()}
		for _, c := range d.Commands() {
			if c.Name == "ask" {
				c.Run(ctx, msg, "when is the next collab?")
			}
		}
		time.Sleep(9 * time.Minute)
		synctest.Wait()
		if got := sink.texts(); got != "" {
			t.Fatalf("after 9m: %q; want nothing yet", got)
		}
		time.Sleep(90 * time.Second)
		synctest.Wait()
		if got := sink.texts(); got == "" || len(sink.msgs) != 1 || sink.msgs[0].Channel != "mira" {
			t.Fatalf("after 10m30s: %q to %+v; want one reminder in #mira", got, sink.msgs)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v; want nil on cancel", err)
		}
	})
}
