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
	// Guard are the stages that judge every message, even one its lane has
	// no room for (see Router): moderation. They must be safe to call
	// while the lane runs Stages, and quick.
	Guard []Stage
}

// Judge runs msg through the guard stages only, for a message its lane has
// no room for: the first that acts decides, else it is ignored.
func (p *Pipeline) Judge(ctx context.Context, msg chat.Message) chat.Decision {
	for _, s := range p.Guard {
		if d := s.Handle(ctx, msg); d.Acted() {
			return d
		}
	}
	return chat.Decision{Action: chat.ActionIgnore}
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
//
// No message goes unjudged. When a channel's lane is full (a burst, a slow
// store), the router judges the message that does not fit at once with the
// pipeline's guard stages (moderation), acts on what they decide, and sheds
// the rest of its trip: it is not answered and files no ticket, and it is
// counted (Shed, and the OnShed hook). A spam line in a burst is removed like
// any other; a question in it may go unanswered, as it would in a human
// moderator's busy chat. Such a message may be judged before the messages
// still waiting in its lane, which is the point: they wait behind answers.
type Router struct {
	pipelines map[string]*Pipeline
	sink      Sink
	log       *slog.Logger
	depth     int
	dropped   atomic.Int64
	shed      atomic.Int64
	onShed    func(channel string)
	serves    func(channel string) bool
	observers []Observer
}

// ServeOnly makes the router pass over the messages of every channel serves
// says no to: when instances share channels, another one works them. Call
// it before Run.
func (r *Router) ServeOnly(serves func(channel string) bool) { r.serves = serves }

// Gate returns a sink that carries out decisions only for the channels
// serves says yes to, so a reminder or tip decided by an instance that has
// just lost its channel is not posted beside the new holder's.
func Gate(s Sink, serves func(channel string) bool) Sink { return gate{s, serves} }

type gate struct {
	s      Sink
	serves func(string) bool
}

func (g gate) Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error {
	if !g.serves(msg.Channel) {
		return nil
	}
	return g.s.Deliver(ctx, msg, d)
}

// OnShed sets a hook told of every message shed (judged by the guard stages
// only) because its lane was full; metrics count them. Call it before Run.
func (r *Router) OnShed(f func(channel string)) { r.onShed = f }

// Shed is how many messages were judged by the guard stages only because
// their lane was full.
func (r *Router) Shed() int64 { return r.shed.Load() }

// Observe adds observers of every live decision. Call it before Run.
func (r *Router) Observe(o ...Observer) { r.observers = append(r.observers, o...) }

// LaneDepth is how many messages may wait in one channel's lane before new
// ones are shed (judged by moderation only); a lane that far behind is
// better served by fresh chat.
const LaneDepth = 256

// NewRouter returns a router over the given per-channel pipelines (keyed by
// channel login).
func NewRouter(pipelines map[string]*Pipeline, sink Sink, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{pipelines: pipelines, sink: sink, log: log, depth: LaneDepth}
}

// Dropped is how many messages no stage judged: those for a channel without
// a pipeline. A full lane sheds instead (see Shed).
func (r *Router) Dropped() int64 { return r.dropped.Load() }

// Run reads messages from in until it is closed or ctx ends, and returns
// once every lane has drained. A message for a channel without a pipeline is
// logged and dropped; one whose lane is full is shed (see Router).
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
				if r.serves != nil && !r.serves(msg.Channel) {
					continue
				}
				lane, ok := lanes[msg.Channel]
				if !ok {
					if n := r.dropped.Add(1); n == 1 || n%1000 == 0 {
						r.log.Warn("message for a channel without a pipeline", "channel", msg.Channel, "dropped_total", n)
					}
					continue
				}
				select {
				case lane <- msg:
				default:
					r.judgeShed(gctx, msg)
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

// judgeShed judges a message its lane has no room for with the guard
// stages alone, on the dispatcher: moderation is microseconds and the sink
// never waits for the platform, so the other channels hardly notice.
func (r *Router) judgeShed(ctx context.Context, msg chat.Message) {
	p := r.pipelines[msg.Channel]
	start := time.Now()
	d := p.Judge(ctx, msg)
	took := time.Since(start)
	if n := r.shed.Add(1); n == 1 || n%1000 == 0 {
		r.log.Warn("channel lane full: message judged by moderation only, not answered", "channel", msg.Channel, "shed_total", n)
	}
	if r.onShed != nil {
		r.onShed(msg.Channel)
	}
	for _, o := range r.observers {
		o.Observe(ctx, msg, d, took)
	}
	if !d.Acted() {
		return
	}
	if err := r.sink.Deliver(ctx, msg, d); err != nil {
		r.log.Error("deliver decision", "channel", msg.Channel, "user", msg.User, "action", string(d.Action), "err", err)
	}
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
