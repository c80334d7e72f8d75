package router

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// Channels are the channels one bot serves, in the config's order.
type Channels struct {
	list   []*Channel
	byName map[string]*Channel
}

// NewChannels collects chs; a name may appear once.
func NewChannels(chs ...*Channel) (*Channels, error) {
	s := &Channels{byName: make(map[string]*Channel, len(chs))}
	for _, c := range chs {
		if _, dup := s.byName[c.name]; dup {
			return nil, fmt.Errorf("channel %q is listed twice", c.name)
		}
		s.byName[c.name] = c
		s.list = append(s.list, c)
	}
	return s, nil
}

// All are the channels in order.
func (s *Channels) All() []*Channel { return s.list }

// Names are the channel logins in order.
func (s *Channels) Names() []string {
	out := make([]string, len(s.list))
	for i, c := range s.list {
		out[i] = c.name
	}
	return out
}

// NormalizeChannel is a channel name as the bot keys it: lower case,
// without '#' or spaces around it.
func NormalizeChannel(name string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "#")
}

// Pipelines are the channels' pipelines by name, for a Router.
func (s *Channels) Pipelines() map[string]*Pipeline {
	m := make(map[string]*Pipeline, len(s.list))
	for _, c := range s.list {
		m[c.name] = c.pipeline
	}
	return m
}

// Attach makes every channel post what it decides outside of a message's
// trip straight to sink.
func (s *Channels) Attach(sink Sink) {
	for _, c := range s.list {
		c.Attach(sink)
	}
}

// Observe hands a decision to its channel's own observers (feedback,
// tips); it implements Observer.
func (s *Channels) Observe(ctx context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	if c := s.byName[msg.Channel]; c != nil {
		c.Observe(ctx, msg, d, took)
	}
}

// Flushed tells the viewer the number of a ticket that waited in the
// spool, in the ticket's channel.
func (s *Channels) Flushed(t escalation.Ticket) {
	if c := s.byName[t.Channel]; c != nil {
		c.Flushed(context.Background(), t)
	}
}

// Run works every channel's loops until ctx ends.
func (s *Channels) Run(ctx context.Context) error {
	var g errgroup.Group
	for _, c := range s.list {
		g.Go(func() error { return c.Run(ctx) })
	}
	return g.Wait()
}

// Close releases every channel's FAQ index.
func (s *Channels) Close() error {
	var errs []error
	for _, c := range s.list {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
