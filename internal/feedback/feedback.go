// Package feedback asks nothing and listens: after the bot answers from the
// FAQ, the viewer who asked may say the answer helped (!helpful, a thanks,
// 👍) or was wrong (!wrong, 👎), within a window. A verdict is a decision
// like any other, so the event log records it per FAQ entry; a wrong answer
// also files a ticket for the streamer to fix the entry.
package feedback

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Notes a verdict's decision carries, for observers (the event log).
const (
	NoteHelpful = "feedback:helpful"
	NoteWrong   = "feedback:wrong"
)

// DefaultWindow is how long after an answer its asker may judge it.
const DefaultWindow = 2 * time.Minute

// Answered is an answer the bot gave, waiting for its asker's verdict.
type Answered struct {
	User      string
	MessageID string
	Question  string
	FAQ       string
	Answer    string
	At        time.Time
}

// Filer files the ticket a wrong answer earns; the wiring passes the
// channel's help desk. It returns the ticket's reference.
type Filer interface {
	FileFix(ctx context.Context, msg chat.Message, a Answered) (ref string, err error)
}

// Config builds a Tracker.
type Config struct {
	// Window is how long an answer can be judged; zero means DefaultWindow.
	Window time.Duration
	// Filer files faq-fix tickets; nil: a wrong answer is only counted.
	Filer Filer
	// Now is the clock for messages without a time; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// maxWaiting bounds the answers remembered; past it, expired ones go.
const maxWaiting = 10000

// Tracker is one channel's feedback: an observer of the answers the bot
// gives, and a stage that hears their askers' verdicts. It is safe for
// concurrent use.
type Tracker struct {
	window time.Duration
	filer  Filer
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	waiting map[string]Answered // asker's login → the last answer to them
}

// New returns a channel's tracker.
func New(c Config) *Tracker {
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{window: c.Window, filer: c.Filer, now: c.Now, log: c.Log, waiting: map[string]Answered{}}
}

func (t *Tracker) at(msg chat.Message) time.Time {
	if !msg.Time.IsZero() {
		return msg.Time
	}
	return t.now()
}

// Observe implements the router's Observer: it remembers each FAQ answer
// for its asker, replacing an older one, since "thanks" is about the last.
func (t *Tracker) Observe(_ context.Context, msg chat.Message, d chat.Decision, _ time.Duration) {
	if d.Action != chat.ActionAnswer || d.FAQ == "" || len(d.Replies) == 0 {
		return
	}
	at := t.at(msg)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.waiting) >= maxWaiting {
		for u, a := range t.waiting {
			if at.Sub(a.At) > t.window {
				delete(t.waiting, u)
			}
		}
		if len(t.waiting) >= maxWaiting {
			clear(t.waiting)
		}
	}
	t.waiting[msg.User] = Answered{User: msg.User, MessageID: msg.ID, Question: msg.Text, FAQ: d.FAQ, Answer: d.Replies[0].Text, At: at}
}

// verdict reads a message as a verdict: the commands, or — from the asker,
// within the window — a bare thanks or thumbs. explicit is the commands.
func verdict(msg chat.Message) (v string, explicit bool) {
	text := strings.ToLower(strings.TrimSpace(msg.Text))
	cmd, _, _ := strings.Cut(text, " ")
	switch cmd {
	case "!helpful":
		return NoteHelpful, true
	case "!wrong":
		return NoteWrong, true
	}
	// Drop @-mentions ("@chatdesk thanks") and trailing punctuation.
	var words []string
	for _, w := range strings.Fields(text) {
		if !strings.HasPrefix(w, "@") {
			words = append(words, strings.TrimRight(w, "!.,~ "))
		}
	}
	bare := strings.Join(words, " ")
	switch bare {
	case "thanks", "thank you", "thx", "ty", "tyvm", "thanks bot", "helpful", "👍", "👍👍", "谢谢", "多谢":
		return NoteHelpful, false
	case "wrong", "that's wrong", "thats wrong", "👎", "不对", "错了":
		return NoteWrong, false
	}
	// In a reply thread, a thanks or a "wrong" may come with more words.
	if msg.ReplyParentID != "" && len(words) > 0 {
		switch words[0] {
		case "thanks", "thank", "thx", "ty", "👍":
			return NoteHelpful, false
		case "wrong", "👎":
			return NoteWrong, false
		}
	}
	return "", false
}

// Handle is the feedback stage. A verdict on an answer still in its window
// is a decision noted NoteHelpful or NoteWrong with the entry's id; the
// commands always get a reply, bare words only when a ticket was filed.
// Anything else passes on.
func (t *Tracker) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	v, explicit := verdict(msg)
	if v == "" {
		return chat.Decision{}
	}
	at := t.at(msg)
	t.mu.Lock()
	a, ok := t.waiting[msg.User]
	if ok && at.Sub(a.At) > t.window {
		delete(t.waiting, msg.User)
		ok = false
	}
	if ok {
		// One verdict per answer.
		delete(t.waiting, msg.User)
	}
	t.mu.Unlock()
	if !ok {
		if !explicit {
			return chat.Decision{}
		}
		return reply(msg, chat.Decision{Action: chat.ActionCommand}, "!helpful and !wrong rate my last answer to you, within "+chat.FormatDuration(t.window, 4)+" of it")
	}
	d := chat.Decision{Action: chat.ActionCommand, FAQ: a.FAQ, Note: v}
	if v == NoteHelpful {
		if explicit {
			return reply(msg, d, "thanks for the feedback!")
		}
		return d
	}
	if t.filer == nil {
		return reply(msg, d, "sorry about that — noted for the streamer")
	}
	ref, err := t.filer.FileFix(ctx, msg, a)
	if err != nil {
		t.log.Error("file faq-fix", "user", msg.User, "faq", a.FAQ, "err", err)
		return reply(msg, d, "sorry about that — noted for the streamer")
	}
	d.Ticket = ref
	return reply(msg, d, "sorry about that — I've asked the streamer to fix that answer (ticket "+ref+")")
}

func reply(msg chat.Message, d chat.Decision, text string) chat.Decision {
	d.Replies = []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityCommand}}
	return d
}
