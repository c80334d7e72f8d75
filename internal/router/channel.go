package router

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/feedback"
	"github.com/chatdesk/chatdesk/internal/moderation"
)

// Parts are what one channel is made of. The caller builds each part from
// its config; NewChannel puts them in order and ties together the ones that
// depend on each other (the desk learns into the FAQ, feedback files
// faq-fix tickets at the desk).
type Parts struct {
	// Name is the channel login.
	Name string
	// Reader reads each message once, before any stage runs; nil leaves
	// messages unread (each stage then reads for itself).
	Reader Reader
	// Responder answers from the channel's FAQ. It is required.
	Responder *answer.Responder
	// FAQFiles are the files the Responder's index was built from; every
	// ReloadInterval they are checked for edits (0: never).
	FAQFiles       []string
	ReloadInterval time.Duration
	// FAQs shares reloaded indexes between channels that read the same
	// files (give the Responder its index from the same library); nil:
	// each channel builds its own.
	FAQs *answer.Library
	// Moderation is the channel's rules engine; nil turns moderation and
	// its commands off. Blocked keeps the !block list between runs (nil:
	// for the run only).
	Moderation *moderation.Engine
	Blocked    moderation.BlockSaver
	// Desk configures the channel's help desk; nil turns escalation off.
	// Its Learner is set here when LearnedPath is.
	Desk *escalation.Config
	// LearnedPath is the file !learn writes; empty turns !learn off.
	LearnedPath string
	// Feedback configures how viewers rate answers; its Filer is set here
	// when the desk is on.
	Feedback feedback.Config
	// Tips posts the FAQ's announce entries unasked; nil: none.
	Tips *answer.Tips
	// Commands are more commands to offer beside the built-in ones.
	Commands []chat.Command
	// KnowledgeBase is the address of the channel's page on the web desk;
	// !help and !faq point viewers to it. Empty: they do not.
	KnowledgeBase string
	Log           *slog.Logger
}

// Reader reads a chat line once for every stage: is it a question, and in
// which language. The question detector is one.
type Reader interface {
	Read(text string) chat.Reading
}

// Channel is one channel's running parts: its pipeline, and the loops that
// work beside it (SLA reminders, FAQ reloads, tips).
type Channel struct {
	name      string
	pipeline  *Pipeline
	responder *answer.Responder
	desk      *escalation.Desk
	mod       *moderation.Engine
	learned   *answer.LearnedFAQ
	feedback  *feedback.Tracker
	tips      *answer.Tips
	files     []string
	interval  time.Duration
	faqs      *answer.Library
	log       *slog.Logger

	// sink posts what is decided outside of a message's trip (reminders,
	// a spooled ticket's number, tips). Until one is attached, those wait
	// in the outbox and ride along with the channel's next message, as
	// they do in a dry run.
	sink   atomic.Pointer[Sink]
	mu     sync.Mutex
	outbox []chat.Reply
}

// maxOutbox bounds what waits for a channel's next message; the oldest goes
// first, since a newer reminder repeats what is still due.
const maxOutbox = 8

// NewChannel assembles a channel. The stage order is the product's:
//
//  1. the desk's follow-up sees every message and hands back answers
//     waiting for its author, with whatever waited in the outbox, without
//     acting;
//  2. moderation, before commands: a viewer's "!ask <spam link>" is spam
//     like any other line (the broadcaster and moderators are exempt, so
//     their commands always run), and a removed message is never answered;
//  3. feedback, before commands (which do not know !helpful and !wrong)
//     and before answers, so "thanks" is never taken for a question;
//  4. commands: !help, !faq, the moderator commands, the desk's;
//  5. the answer from the FAQ;
//  6. escalation, last: what reaches it was not answered.
func NewChannel(p Parts) *Channel {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Channel{
		name: p.Name, responder: p.Responder, tips: p.Tips, mod: p.Moderation,
		files: append([]string(nil), p.FAQFiles...), interval: p.ReloadInterval, faqs: p.FAQs, log: log,
	}
	var front, after []Stage
	cmds := []chat.Command{answer.FAQCommand(p.Responder)}
	if p.Desk != nil {
		dc := *p.Desk
		if p.LearnedPath != "" {
			c.learned = answer.NewLearnedFAQ(p.LearnedPath, p.FAQFiles, p.Responder)
			c.learned.Library = p.FAQs
			dc.Learner = c.learned
		}
		c.desk = escalation.NewDesk(dc)
		front = append(front, followUp{c: c, f: c.desk.FollowUp()})
		after = append(after, c.desk)
	}
	var mod []Stage
	if p.Moderation != nil {
		mod = append(mod, p.Moderation)
		cmds = append(cmds, moderation.Commands(p.Moderation, p.Blocked, log)...)
	}
	if c.desk != nil {
		cmds = append(cmds, c.desk.Commands()...)
	}
	cmds = append(cmds, p.Commands...)
	fc := p.Feedback
	if c.desk != nil {
		fc.Filer = deskFiler{c.desk}
	}
	c.feedback = feedback.New(fc)

	stages := append(front, mod...)
	commands := NewCommands(cmds...)
	commands.pointTo(p.KnowledgeBase)
	stages = append(stages, c.feedback, commands, p.Responder)
	c.pipeline = &Pipeline{Reader: p.Reader, Stages: append(stages, after...), Guard: mod}
	return c
}

// Name is the channel login.
func (c *Channel) Name() string { return c.name }

// Pipeline is the channel's stages in order.
func (c *Channel) Pipeline() *Pipeline { return c.pipeline }

// Responder answers from the channel's FAQ.
func (c *Channel) Responder() *answer.Responder { return c.responder }

// Desk is the channel's help desk; nil when escalation is off.
func (c *Channel) Desk() *escalation.Desk { return c.desk }

// Attach makes what the channel decides outside of a message's trip go
// straight to s.
func (c *Channel) Attach(s Sink) { c.sink.Store(&s) }

// Deliver posts a decision made outside of a message's trip: to the
// attached sink, else into the outbox. It implements escalation.Sink and
// answer.TipPoster.
func (c *Channel) Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error {
	if s := c.sink.Load(); s != nil {
		return (*s).Deliver(ctx, msg, d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outbox = append(c.outbox, d.Replies...)
	if over := len(c.outbox) - maxOutbox; over > 0 {
		c.outbox = c.outbox[over:]
	}
	return nil
}

// takeOutbox empties the outbox.
func (c *Channel) takeOutbox() []chat.Reply {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.outbox
	c.outbox = nil
	return out
}

// Observe hands a decision to the channel's feedback and tips; it
// implements Observer for the channel's own messages.
func (c *Channel) Observe(ctx context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	c.feedback.Observe(ctx, msg, d, took)
	if c.tips != nil {
		c.tips.Observe(ctx, msg, d, took)
	}
}

// Flushed tells the viewer the number of a ticket that waited in the spool.
func (c *Channel) Flushed(ctx context.Context, t escalation.Ticket) {
	if c.desk != nil {
		c.desk.Flushed(ctx, t, c)
	}
}

// Run works the channel's loops until ctx ends: the desk's SLA reminders,
// the FAQ reloader, and tips.
func (c *Channel) Run(ctx context.Context) error {
	var g errgroup.Group
	if c.desk != nil {
		g.Go(func() error { return c.desk.Run(ctx, c, escalation.DefaultTick) })
	}
	if c.interval > 0 {
		g.Go(func() error { return c.reload(ctx) })
	}
	if c.tips != nil {
		g.Go(func() error { return c.tips.Run(ctx, c) })
	}
	return g.Wait()
}

// reload keeps the FAQ in step with its files, as answer.Reloader does, and
// starts watching the learned file the first time !learn writes it.
func (c *Channel) reload(ctx context.Context) error {
	var created <-chan struct{}
	if c.learned != nil {
		created = c.learned.Created()
	}
	files := c.files
	log := c.log
	for {
		rctx, cancel := context.WithCancel(ctx)
		w := &answer.Reloader{Files: files, Responder: c.responder, Interval: c.interval, Log: log, Library: c.faqs}
		done := make(chan error, 1)
		go func() { done <- w.Run(rctx) }()
		select {
		case <-ctx.Done():
			cancel()
			return <-done
		case <-created:
			cancel()
			if err := <-done; err != nil {
				return err
			}
			files = append(append([]string(nil), files...), c.learned.Path())
			created = nil
		}
	}
}

// Close releases the channel's FAQ index.
func (c *Channel) Close() error { return c.responder.Close() }

// followUp is the stage at the front of a channel's pipeline: the desk's
// follow-up, plus whatever waited in the outbox.
type followUp struct {
	c *Channel
	f escalation.FollowUp
}

// Handle implements Stage.
func (s followUp) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	d := s.f.Handle(ctx, msg)
	d.Replies = append(d.Replies, s.c.takeOutbox()...)
	return d
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
