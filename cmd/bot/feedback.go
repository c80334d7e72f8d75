package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/feedback"
)

// newFeedback is a channel's feedback tracker; a wrong answer files a
// faq-fix ticket at the channel's desk when it has one.
func newFeedback(cfg *Config, ch *channel, now func() time.Time, log *slog.Logger) *feedback.Tracker {
	c := feedback.Config{Window: cfg.Feedback.Window, Now: now, Log: log.With("channel", ch.name)}
	if ch.escalation != nil {
		c.Filer = deskFiler{ch.escalation.desk}
	}
	return feedback.New(c)
}

// deskFiler files faq-fix tickets at a channel's desk.
type deskFiler struct{ d *escalation.Desk }

// FileFix implements feedback.Filer.
func (f deskFiler) FileFix(ctx context.Context, msg chat.Message, a feedback.Answered) (string, error) {
	t, err := f.d.FileFAQFix(ctx, msg, escalation.FAQFix{Question: a.Question, FAQ: a.FAQ, Answer: a.Answer, AskedAt: a.At})
	if err != nil {
		return "", err
	}
	return t.Ref(), nil
}

// feedbackObserver hands each channel's answers to its tracker, so the
// asker's thanks can be tied to them.
type feedbackObserver map[string]*feedback.Tracker

func feedbackObservers(chs []*channel) feedbackObserver {
	o := feedbackObserver{}
	for _, ch := range chs {
		if ch.feedback != nil {
			o[ch.name] = ch.feedback
		}
	}
	return o
}

// Observe implements router.Observer.
func (o feedbackObserver) Observe(ctx context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	if t := o[msg.Channel]; t != nil {
		t.Observe(ctx, msg, d, took)
	}
}

// checkKind validates bot tickets --kind; empty means every kind.
func checkKind(kind string) error {
	switch escalation.Kind(kind) {
	case "", escalation.KindQuestion, escalation.KindComplaint, escalation.KindSuggestion, escalation.KindFAQFix:
		return nil
	}
	return fmt.Errorf("--kind: unknown kind %q (want question, complaint, suggestion or faq-fix)", kind)
}

// ofKind keeps the tickets of kind; empty keeps all.
func ofKind(ts []escalation.Ticket, kind string) []escalation.Ticket {
	if kind == "" {
		return ts
	}
	var out []escalation.Ticket
	for _, t := range ts {
		if string(t.Kind) == kind {
			out = append(out, t)
		}
	}
	return out
}
