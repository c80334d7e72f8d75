package escalation_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// TestAcknowledgements: what a viewer is told when their question becomes
// a ticket is owed (it never goes stale), threaded under their question,
// and under load folds with the others waiting into one line.
func TestAcknowledgements(t *testing.T) {
	type want struct {
		text     string // the reply contains it
		priority chat.Priority
		kind     string // the fold kind; "" does not fold
		to       string
		number   int64
	}
	tests := []struct {
		name   string
		before []string // "user: text" said first
		user   string
		text   string
		want   want
	}{
		{
			name: "!ask files a ticket",
			user: "ana", text: "!ask when is the next collab?",
			want: want{"got it — a moderator will answer (ticket #1)", chat.PriorityAck, "ticket-filed", "ana", 1},
		},
		{
			name:   "!ask that joins a ticket folds as a filing",
			before: []string{"ana: !ask when is the next collab?"},
			user:   "bob", text: "!ask next collab when?",
			want: want{"+1 — 2 viewers asked that, a moderator will answer, ticket #1", chat.PriorityAck, "ticket-filed", "bob", 1},
		},
		{
			name: "a question for the streamer files a ticket",
			user: "ana", text: "@mira what keyboard do you use?",
			want: want{"I don't know that one — I've asked the moderators (ticket #1)", chat.PriorityAck, "ticket-filed", "ana", 1},
		},
		{
			name: "!report is thanked, and folds with reports only",
			user: "ana", text: "!report someone is rude",
			want: want{"thanks — the moderators have your report (ticket #1)", chat.PriorityAck, "ticket-report", "ana", 1},
		},
		{
			name:   "a crowd's acknowledgement names the crowd itself and does not fold",
			before: []string{"ana: is there a discord server?", "bob: discord server??"},
			user:   "cy", text: "anyone know if there's a discord server",
			want: want{"good question — I've asked the moderators (ticket #1)", chat.PriorityAck, "", "", 0},
		},
		{
			name:   "!ticket tells a viewer their number, owed like the acknowledgement",
			before: []string{"ana: !ask when is the next collab?"},
			user:   "ana", text: "!ticket",
			want: want{"#1 “when is the next collab?”: waiting for a moderator", chat.PriorityAck, "", "", 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDesk(t, openBolt(t), defaultSettings(), nil)
			for _, b := range tt.before {
				user, text, _ := strings.Cut(b, ": ")
				h.viewer(user, text)
			}
			msg := h.message(tt.user, 0, tt.text)
			d := h.said(msg)
			if len(d.Replies) != 1 {
				t.Fatalf("replies %q; want one", texts(d))
			}
			r := d.Replies[0]
			if !strings.Contains(r.Text, tt.want.text) {
				t.Errorf("reply %q; want it to say %q", r.Text, tt.want.text)
			}
			if r.Priority != tt.want.priority || r.ParentID != msg.ID {
				t.Errorf("priority %d under %q; want %d under the viewer's %q", r.Priority, r.ParentID, tt.want.priority, msg.ID)
			}
			if got := (want{tt.want.text, r.Priority, r.Fold.Kind, r.Fold.To, r.Fold.Number}); got != tt.want {
				t.Errorf("fold %+v; want kind %q for %q, number %d", r.Fold, tt.want.kind, tt.want.to, tt.want.number)
			}
		})
	}
}

// TestViewerLearnsTheNumberWithoutTheAcknowledgement: the line saying
// "ticket #N" may never reach chat (the send queue was full, the bot was
// stopping); the ticket is filed all the same and !ticket shows its number,
// also for a filing that waited in the spool.
func TestViewerLearnsTheNumberWithoutTheAcknowledgement(t *testing.T) {
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	var log flushLog
	s := openSpool(t, filepath.Join(t.TempDir(), "spool.db"), inner, &log)
	defer s.Close()
	h := newDesk(t, s, defaultSettings(), nil)

	h.viewer("ana", "!ask when is the next collab?") // its acknowledgement is lost
	wantReply(t, h.viewer("ana", "!ticket"), "#1 “when is the next collab?”: waiting for a moderator")

	inner.down.Store(true)
	h.viewer("bob", "!ask what keyboard do you use?") // "the number follows", lost too
	inner.down.Store(false)
	if _, err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tk := range log.ts {
		h.Flushed(ctx, tk, &recorder{}) // and so is the number
	}
	wantReply(t, h.viewer("bob", "!ticket"), "#2 “what keyboard do you use?”: waiting for a moderator")
}

// TestOutageNoticesInOrder files three viewers' questions while the store
// is away and posts what the desk says through a real Sender: each viewer
// hears "the ticket number follows" before their number, and neither is
// held back by the rule against repeating a text (they name the viewer, so
// no two are the same).
func TestOutageNoticesInOrder(t *testing.T) {
	ctx := context.Background()
	inner := &flaky{Store: openBolt(t)}
	var log flushLog
	s := openSpool(t, filepath.Join(t.TempDir(), "spool.db"), inner, &log)
	defer s.Close()
	h := newDesk(t, s, defaultSettings(), nil)

	inner.down.Store(true)
	var acks []chat.Reply
	for _, v := range []string{"ana", "bob", "cy"} {
		d := h.viewer(v, "!ask what is "+v+"'s favourite game?")
		acks = append(acks, d.Replies...)
	}
	inner.down.Store(false)
	if _, err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var notices recorder
	for _, tk := range log.ts {
		h.Flushed(ctx, tk, &notices)
	}
	if len(acks) != 3 || len(notices.decs) != 3 {
		t.Fatalf("%d acknowledgements, %d notices; want 3 of each", len(acks), len(notices.decs))
	}

	for _, tt := range []struct {
		name      string
		gap       time.Duration // between two viewers' !ask, and between two notices
		noticesAt time.Duration // when the store is back, after the last !ask
	}{
		{"the store back while the acknowledgements wait", 10 * time.Millisecond, 50 * time.Millisecond},
		{"the store back later", 10 * time.Millisecond, 10 * time.Second},
		{"a quiet chat: nothing folds, nothing is a repeat", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var mu sync.Mutex
				var posts []chat.Posted
				sender := chat.NewSender(discard{}, chat.SenderConfig{OnPost: func(p chat.Posted) {
					mu.Lock()
					defer mu.Unlock()
					posts = append(posts, p)
				}})
				runCtx, stop := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { defer close(done); _ = sender.Run(runCtx) }()
				for _, r := range acks {
					sender.Send("mira", r)
					time.Sleep(tt.gap)
				}
				time.Sleep(tt.noticesAt)
				for _, d := range notices.decs {
					for _, r := range d.Replies {
						sender.Send("mira", r)
					}
					time.Sleep(tt.gap)
				}
				time.Sleep(2 * time.Minute)
				synctest.Wait()
				stop()
				<-done

				told := map[string][]string{} // viewer → what they heard, in order
				var lines []string
				for _, p := range posts {
					lines = append(lines, fmt.Sprintf("+%v %s", p.At.Sub(start), p.Text))
					if p.At.Sub(start) > 6*tt.gap+tt.noticesAt+5*time.Second {
						t.Errorf("%q posted at +%v; want every notice out within 5 s of the last one sent", p.Text, p.At.Sub(start))
					}
					for _, v := range []string{"ana", "bob", "cy"} {
						if !strings.Contains(p.Text, "@"+v+" ") {
							continue
						}
						switch {
						case strings.Contains(p.Text, "follow"):
							told[v] = append(told[v], "follows")
						case strings.Contains(p.Text, "ticket"):
							told[v] = append(told[v], "number")
						}
					}
				}
				t.Logf("posted:\n%s", strings.Join(lines, "\n"))
				for _, v := range []string{"ana", "bob", "cy"} {
					if got := strings.Join(told[v], ","); got != "follows,number" {
						t.Errorf("%s heard %s; want follows,number\n%s", v, got, strings.Join(lines, "\n"))
					}
				}
			})
		})
	}
}

// discard is a transport that posts nowhere.
type discard struct{}

func (discard) Post(string, string, string) error { return nil }

var _ escalation.Sink = (*recorder)(nil)
