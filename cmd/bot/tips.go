package main

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/metrics"
)

// channelTips are every channel's proactive tips, keyed by channel. They
// watch the router as one observer; the map is built before the router
// runs and never changes after.
type channelTips map[string]*answer.Tips

// newTips builds the tips of every channel from its live FAQ, so an entry
// given announce in a reload starts being tipped without a restart. m may
// be nil.
func newTips(cfg *Config, chs []*channel, m *metrics.Metrics, clock chat.Clock, log *slog.Logger) channelTips {
	set := answer.TipSettings{
		MinMessages:     cfg.Answer.Tips.MinMessages,
		TrendingViewers: cfg.Answer.Tips.TrendingViewers,
		TrendingWithin:  cfg.Answer.Tips.TrendingWithin,
	}
	if set.TrendingViewers == 0 {
		set.TrendingViewers = -1 // the config's 0 means off
	}
	var onPost func(channel, entry string)
	if m != nil {
		onPost = m.TipPosted
	}
	tips := make(channelTips, len(chs))
	for _, ch := range chs {
		tips[ch.name] = answer.NewTips(answer.TipsConfig{
			Channel: ch.name, Entries: ch.responder.Entries, Settings: set,
			Clock: clock, Log: log.With("channel", ch.name), OnPost: onPost,
		})
	}
	return tips
}

// Observe hands a decision to its channel's tips; it implements
// router.Observer.
func (t channelTips) Observe(ctx context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	if tp, ok := t[msg.Channel]; ok {
		tp.Observe(ctx, msg, d, took)
	}
}

// start runs every channel's tip loop in g until ctx ends, posting through
// sink.
func (t channelTips) start(ctx context.Context, g *errgroup.Group, sink answer.TipPoster) {
	for _, tp := range t {
		g.Go(func() error { return tp.Run(ctx, sink) })
	}
}
