package feedback_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/feedback"
)

var t0 = time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)

type filer struct {
	got []feedback.Answered
	err error
}

func (f *filer) FileFix(_ context.Context, _ chat.Message, a feedback.Answered) (string, error) {
	f.got = append(f.got, a)
	return "#7", f.err
}

// answered has the tracker see the bot answer user's question at at.
func answered(tr *feedback.Tracker, user string, at time.Time) {
	msg := chat.Message{ID: "q-" + user, User: user, Text: "when do you stream?", Time: at}
	tr.Observe(context.Background(), msg, chat.Decision{
		Action: chat.ActionAnswer, FAQ: "schedule", Replies: []chat.Reply{{Text: "Mon/Wed/Fri 19:00"}},
	}, time.Millisecond)
}

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		name   string
		user   string
		text   string
		parent string
		after  time.Duration
		note   string // "" means the message passes on
		reply  string // a part of the reply; "" means no reply
	}{
		{"!helpful", "ana", "!helpful", "", time.Minute, feedback.NoteHelpful, "thanks for the feedback"},
		{"bare thanks is silent", "ana", "thanks!", "", time.Minute, feedback.NoteHelpful, ""},
		{"ty with a mention", "ana", "@chatdesk ty", "", time.Second, feedback.NoteHelpful, ""},
		{"thumbs up", "ana", "👍", "", time.Second, feedback.NoteHelpful, ""},
		{"thanks in the thread with more words", "ana", "thanks that helps a lot", "bot-reply", time.Second, feedback.NoteHelpful, ""},
		{"thanks and more words outside a thread", "ana", "thanks that helps a lot", "", time.Second, "", ""},
		{"!wrong files a fix", "ana", "!wrong", "", time.Minute, feedback.NoteWrong, "ticket #7"},
		{"thumbs down", "ana", "👎", "", time.Minute, feedback.NoteWrong, "ticket #7"},
		{"someone else's thanks", "bob", "thanks", "", time.Second, "", ""},
		{"thanks after the window", "ana", "thanks", "", 3 * time.Minute, "", ""},
		{"!helpful after the window", "ana", "!helpful", "", 3 * time.Minute, "", "rate my last answer to you, within 2m of it"},
		{"ordinary chat", "ana", "lol", "", time.Second, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &filer{}
			tr := feedback.New(feedback.Config{Window: 2 * time.Minute, Filer: f})
			answered(tr, "ana", t0)
			d := tr.Handle(context.Background(), chat.Message{ID: "m2", User: c.user, Text: c.text, ReplyParentID: c.parent, Time: t0.Add(c.after)})
			if d.Note != c.note || (c.note != "" && d.FAQ != "schedule") {
				t.Errorf("decision note %q faq %q; want %q on schedule", d.Note, d.FAQ, c.note)
			}
			if c.note == "" && c.reply == "" && d.Acted() {
				t.Errorf("decision %+v; want the message to pass on", d)
			}
			got := ""
			if len(d.Replies) > 0 {
				got = d.Replies[0].Text
			}
			if (c.reply == "") != (got == "") || !strings.Contains(got, c.reply) {
				t.Errorf("reply %q; want %q", got, c.reply)
			}
			if wantFix := c.note == feedback.NoteWrong; wantFix != (len(f.got) == 1) {
				t.Errorf("faq-fix filed %d times; want %v", len(f.got), wantFix)
			} else if wantFix && (f.got[0].Question != "when do you stream?" || f.got[0].Answer != "Mon/Wed/Fri 19:00" || f.got[0].FAQ != "schedule") {
				t.Errorf("faq-fix = %+v; want the question and the answer given", f.got[0])
			}
		})
	}
}

func TestOneVerdictPerAnswer(t *testing.T) {
	tr := feedback.New(feedback.Config{})
	answered(tr, "ana", t0)
	if d := tr.Handle(context.Background(), chat.Message{User: "ana", Text: "thanks", Time: t0}); d.Note != feedback.NoteHelpful {
		t.Fatalf("first thanks: note %q; want helpful", d.Note)
	}
	if d := tr.Handle(context.Background(), chat.Message{User: "ana", Text: "thanks", Time: t0}); d.Acted() {
		t.Errorf("second thanks: %+v; want it to pass on", d)
	}
}

func TestFilingFailureStillCounts(t *testing.T) {
	tr := feedback.New(feedback.Config{Filer: &filer{err: errors.New("store down")}})
	answered(tr, "ana", t0)
	d := tr.Handle(context.Background(), chat.Message{User: "ana", Text: "!wrong", Time: t0})
	if d.Note != feedback.NoteWrong || d.Ticket != "" || !strings.Contains(d.Replies[0].Text, "noted") {
		t.Errorf("decision %+v; want the verdict kept and a plain apology", d)
	}
}
