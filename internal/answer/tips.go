package answer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// TipSettings decide when a channel's FAQ entries with announce are posted
// unasked. Zero fields take the defaults below.
type TipSettings struct {
	// MinMessages is how many chat messages must come after a tip before
	// the next: a tip in a quiet chat talks to nobody, and a bot talking
	// to itself is noise when the streamer scrolls back.
	MinMessages int
	// TrendingViewers distinct viewers asking an entry's question within
	// TrendingWithin make it trending: it is posted as soon as chat is
	// active, without waiting out its announce interval, but not twice
	// within TrendingWithin. A negative TrendingViewers turns it off.
	TrendingViewers int
	TrendingWithin  time.Duration
	// Every is how often the loop looks for a tip that is due.
	Every time.Duration
}

// Defaults for zero TipSettings fields.
const (
	DefaultTipMinMessages     = 20
	DefaultTipTrendingViewers = 3
	DefaultTipTrendingWithin  = 10 * time.Minute
	DefaultTipEvery           = 15 * time.Second
)

func (s TipSettings) withDefaults() TipSettings {
	if s.MinMessages <= 0 {
		s.MinMessages = DefaultTipMinMessages
	}
	if s.TrendingViewers == 0 {
		s.TrendingViewers = DefaultTipTrendingViewers
	}
	if s.TrendingWithin <= 0 {
		s.TrendingWithin = DefaultTipTrendingWithin
	}
	if s.Every <= 0 {
		s.Every = DefaultTipEvery
	}
	return s
}

// TipPoster posts a tip to the channel's chat.
type TipPoster interface {
	Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error
}

// Tips posts one channel's announce entries as proactive tips. It watches
// the channel's decisions (Observe, the router's observer shape) to know
// how active chat is and what viewers keep asking, and Run posts what is
// due. It is safe for concurrent use.
type Tips struct {
	channel string
	entries func() []Entry
	set     TipSettings
	clock   chat.Clock
	log     *slog.Logger
	// onPost, when set, is told about each tip posted (metrics).
	onPost func(channel, entry string)

	mu        sync.Mutex
	messages  int                  // chat messages since the last tip
	lastTip   map[string]time.Time // entry → when it was last posted as a tip
	lastShown map[string]time.Time // entry → when chat last saw it (tip or answer)
	askers    map[string][]asked   // entry → who asked it lately, oldest first
}

// asked is one viewer asking an entry's question.
type asked struct {
	user string
	at   time.Time
}

// TipsConfig is what a channel's Tips are built from.
type TipsConfig struct {
	Channel string
	// Entries returns the channel's current FAQ, so tips follow a reload.
	Entries  func() []Entry
	Settings TipSettings
	// Clock is the time the tips keep; nil is the system clock.
	Clock chat.Clock
	Log   *slog.Logger
	// OnPost, when set, is told about each tip posted.
	OnPost func(channel, entry string)
}

// NewTips returns a channel's tips. Nothing is posted until Run.
func NewTips(c TipsConfig) *Tips {
	if c.Clock == nil {
		c.Clock = chat.SystemClock
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Entries == nil {
		c.Entries = func() []Entry { return nil }
	}
	return &Tips{
		channel: c.Channel, entries: c.Entries, set: c.Settings.withDefaults(),
		clock: c.Clock, log: c.Log, onPost: c.OnPost,
		lastTip: map[string]time.Time{}, lastShown: map[string]time.Time{}, askers: map[string][]asked{},
	}
}

// Observe counts a message of the channel and remembers who asked which
// entry. Messages of other channels are ignored.
func (t *Tips) Observe(_ context.Context, msg chat.Message, d chat.Decision, _ time.Duration) {
	if msg.Channel != t.channel {
		return
	}
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.messages++
	if d.FAQ == "" {
		return
	}
	if len(d.Replies) > 0 {
		t.lastShown[d.FAQ] = now
	}
	if d.Question && msg.User != "" {
		t.askers[d.FAQ] = append(t.prune(t.askers[d.FAQ], now), asked{user: msg.User, at: now})
	}
}

// prune drops askers older than the trending window; t.mu must be held.
func (t *Tips) prune(list []asked, now time.Time) []asked {
	i := 0
	for i < len(list) && now.Sub(list[i].at) > t.set.TrendingWithin {
		i++
	}
	// Bound what one entry keeps, whatever the chat does.
	const keep = 64
	if len(list)-i > keep {
		i = len(list) - keep
	}
	return list[i:]
}

// trending reports whether enough distinct viewers asked entry lately;
// t.mu must be held.
func (t *Tips) trending(entry string, now time.Time) bool {
	if t.set.TrendingViewers < 0 {
		return false
	}
	list := t.prune(t.askers[entry], now)
	t.askers[entry] = list
	seen := make(map[string]bool, len(list))
	for _, a := range list {
		seen[a.user] = true
	}
	return len(seen) >= t.set.TrendingViewers
}

// Due returns the tip to post now, if any: nothing while chat is quiet;
// else a trending entry not tipped within the trending window, else the
// entry longest past its announce interval (since chat last saw it, asked
// or not). Due does not mark the tip posted; Posted does.
func (t *Tips) Due() (Entry, bool) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.messages < t.set.MinMessages {
		return Entry{}, false
	}
	var best Entry
	var bestOver time.Duration
	found := false
	for _, e := range t.entries() {
		if e.Announce <= 0 {
			continue
		}
		if t.trending(e.ID, now) {
			if last, ok := t.lastTip[e.ID]; !ok || now.Sub(last) >= t.set.TrendingWithin {
				return e, true
			}
		}
		last, ok := t.lastShown[e.ID]
		over := now.Sub(last) - e.Announce
		if !ok {
			// Never shown: due now, after anything already overdue
			// by more than its whole interval.
			over = 0
		}
		if over < 0 {
			continue
		}
		if !found || over > bestOver {
			best, bestOver, found = e, over, true
		}
	}
	return best, found
}

// Posted records that e was posted as a tip: chat has to be active again,
// and e waits out its interval, before the next.
func (t *Tips) Posted(e Entry) {
	now := t.clock.Now()
	t.mu.Lock()
	t.messages = 0
	t.lastTip[e.ID] = now
	t.lastShown[e.ID] = now
	delete(t.askers, e.ID)
	t.mu.Unlock()
	if t.onPost != nil {
		t.onPost(t.channel, e.ID)
	}
}

// Run posts due tips to the channel through p until ctx ends. A tip that
// cannot be delivered is logged and not retried: the next one comes when
// chat has been active again.
func (t *Tips) Run(ctx context.Context, p TipPoster) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.clock.After(t.set.Every):
		}
		e, ok := t.Due()
		if !ok {
			continue
		}
		t.Posted(e)
		d := chat.Decision{
			Action:  chat.ActionAnswer,
			FAQ:     e.ID,
			Note:    "tip",
			Replies: []chat.Reply{{Text: e.Answer, Priority: chat.PriorityTip}},
		}
		if err := p.Deliver(ctx, chat.Message{Channel: t.channel}, d); err != nil {
			t.log.Warn("post tip", "channel", t.channel, "faq", e.ID, "err", err)
			continue
		}
		t.log.Debug("tip posted", "channel", t.channel, "faq", e.ID)
	}
}
