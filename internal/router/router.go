// Package router assembles each channel's pipeline — the stages in the
// product's order, the commands they offer, the follow-up stage and its
// outbox, the observers — and routes chat messages through it, one ordered
// lane per channel, handing the decisions to a sink. It is the glue between
// sources (Twitch, the console, recorded chat), the stages that decide, and
// the sinks that act; it decides nothing itself, and knows no platform, so
// every front runs the same channels.
package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"golang.org/x/sync/errgroup"
)

// Stage looks at a message and returns what to do. A stage that does not act
// returns the zero Decision, and the message goes on to the next stage.
type Stage interface {
	Handle(ctx context.Context, msg chat.Message) chat.Decision
}

// StageFunc adapts a function to Stage.
type StageFunc func(ctx context.Context, msg chat.Message) chat.Decision

// Handle calls f.
func (f StageFunc) Handle(ctx context.Context, msg chat.Message) chat.Decision { return f(ctx, msg) }

// Sink carries out decisions: it posts replies, deletes messages, files
// tickets, or prints what would have happened.
type Sink interface {
	Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error
}

// Pipeline is one channel's ordered list of stages.
type Pipeline struct {
	// Reader, when set, reads each message once before the stages run,
	// so they share one verdict on whether it is a question.
	Reader Reader
	Stages []Stage
}

// Read fills in msg's reading, unless it has one already.
func (p *Pipeline) Read(msg chat.Message) chat.Message {
	if p.Reader != nil && !msg.Reading.Read() {
		msg.Reading = p.Reader.Read(msg.Text)
	}
	return msg
}

// Process runs msg through the stages; the first one that acts ends its
// trip, so a removed message is never answered. It is synchronous, so replay
// and live chat share it.
//
// A stage that does not act may still return replies (a ticket answer
// waiting for a viewer who just spoke again, say); they are kept and
// delivered with whatever the message's final decision is.
func (p *Pipeline) Process(ctx context.Context, msg chat.Message) chat.Decision {
	msg = p.Read(msg)
	var carried []chat.Reply
	var question bool
	var lang string
	for _, s := range p.Stages {
		d := s.Handle(ctx, msg)
		if d.Question {
			question, lang = true, d.Lang
		}
		if d.Acted() {
			if len(carried) > 0 {
				d.Replies = append(carried, d.Replies...)
			}
			d.Question = d.Question || question
			if d.Lang == "" {
				d.Lang = lang
			}
			return d
		}
		carried = append(carried, d.Replies...)
	}
	return chat.Decision{Action: chat.ActionIgnore, Replies: carried, Question: question, Lang: lang}
}

// Observer sees every message the router handles live and what was decided
// about it, with how long the stages took: metrics and the event log are
// observers. It must be quick and must not block; it runs on the lane.
type Observer interface {
	Observe(ctx context.Context, msg chat.Message, d chat.Decision, took time.Duration)
}

// Router runs one ordered lane per channel: messages of a channel are handled
// one after another, channels in parallel.
type Router struct {
	pipelines map[string]*Pipeline
	sink      Sink
	log       *slog.Logger
	depth     int
	dropped   atomic.Int64
	observers []Observer
}

// Observe adds observers of every live decision. Call it before Run.
func (r *Router) Observe(o ...Observer) { r.observers = append(r.observers, o...) }

// LaneDepth is how many messages may wait in one channel's lane before new
// ones are dropped; a lane that far behind is better served by fresh chat.
const LaneDepth = 256

// NewRouter returns a router over the given per-channel pipelines (keyed by
// channel login).
func NewRouter(pipelines map[string]*Pipeline, sink Sink, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{pipelines: pipelines, sink: sink, log: log, depth: LaneDepth}
}

// Dropped is how many messages were dropped because their lane was full.
func (r *Router) Dropped() int64 { return r.dropped.Load() }

// Run reads messages from in until it is closed or ctx ends, and returns
// once every lane has drained. A message for a channel without a pipeline is
// logged and dropped.
func (r *Router) Run(ctx context.Context, in <-chan chat.Message) error {
	g, gctx := errgroup.WithContext(ctx)
	lanes := make(map[string]chan chat.Message, len(r.pipelines))
	for name, p := range r.pipelines {
		lane := make(chan chat.Message, r.depth)
		lanes[name] = lane
		g.Go(func() error { return r.runLane(gctx, name, p, lane) })
	}
	var once sync.Once
	closeLanes := func() {
		once.Do(func() {
			for _, l := range lanes {
				close(l)
			}
		})
	}
	g.Go(func() error {
		defer closeLanes()
		for {
			select {
			case <-gctx.Done():
				return nil
			case msg, ok := <-in:
				if !ok {
					return nil
				}
				lane, ok := lanes[msg.Channel]
				if !ok {
					r.log.Warn("message for a channel without a pipeline", "channel", msg.Channel)
					continue
				}
				select {
				case lane <- msg:
				default:
					n := r.dropped.Add(1)
					r.log.Warn("channel lane full, message dropped", "channel", msg.Channel, "dropped_total", n)
				}
			}
		}
	})
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (r *Router) runLane(ctx context.Context, name string, p *Pipeline, lane <-chan chat.Message) error {
	for msg := range lane {
		if ctx.Err() != nil {
			// Cancelled: drain without acting so the dispatcher never blocks.
			continue
		}
		start := time.Now()
		d := p.Process(ctx, msg)
		took := time.Since(start)
		for _, o := range r.observers {
			o.Observe(ctx, msg, d, took)
		}
		if !d.Acted() && len(d.Replies) == 0 {
			continue
		}
		if err := r.sink.Deliver(ctx, msg, d); err != nil {
			// A sink failure (Twitch down, say) must not stop the channel.
			r.log.Error("deliver decision", "channel", name, "user", msg.User, "action", string(d.Action), "err", err)
		}
	}
	return nil
}

// ErrUnknownChannel is returned by Handle for a channel without a pipeline.
var ErrUnknownChannel = errors.New("unknown channel")

// Handle runs one message synchronously through its channel's pipeline and
// returns the decision without delivering it. Replay uses it to keep output
// in input order.
func (r *Router) Handle(ctx context.Context, msg chat.Message) (chat.Decision, error) {
	p, ok := r.pipelines[msg.Channel]
	if !ok {
		return chat.Decision{}, fmt.Errorf("%w %q", ErrUnknownChannel, msg.Channel)
	}
	return p.Process(ctx, msg), nil
}
