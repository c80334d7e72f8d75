package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/feedback"
)

// channel is one channel's running parts.
type channel struct {
	name      string
	faqFiles  []string
	responder *answer.Responder
	pipeline  *router.Pipeline
	// escalation is the channel's help desk; nil when it is off.
	escalation *channelDesk
	// feedback hears viewers rate the answers.
	feedback *feedback.Tracker
}

// settingsFor merges the top-level answer settings with the channel's
// overrides.
func settingsFor(cfg *Config, ch ChannelConfig) answer.Settings {
	s := answer.Settings{MinConfidence: map[string]float64{}, Cooldown: cfg.Answer.Cooldown}
	for k, v := range cfg.Answer.MinConfidence {
		s.MinConfidence[k] = v
	}
	for k, v := range ch.Answer.MinConfidence {
		s.MinConfidence[k] = v
	}
	if ch.Answer.Cooldown != 0 {
		s.Cooldown = ch.Answer.Cooldown
	}
	return s
}

// loadIndex loads and indexes FAQ files.
func loadIndex(files []string) (*answer.Index, int, error) {
	entries, err := answer.LoadFAQ(files...)
	if err != nil {
		return nil, 0, err
	}
	ix, err := answer.Build(entries)
	if err != nil {
		return nil, 0, err
	}
	return ix, len(entries), nil
}

// buildChannels builds every configured channel's pipeline. now may be nil.
// All channels' FAQ problems are reported together. esc is the ticket store
// the desks use; without one, tickets live in memory for the run (a dry
// run, as replay is).
func buildChannels(cfg *Config, now func() time.Time, log *slog.Logger, esc ...*escalationWiring) ([]*channel, error) {
	var out []*channel
	var problems []string
	for _, cc := range cfg.Channels {
		files := withLearned(cfg, cc)
		ix, _, err := loadIndex(files)
		if err != nil {
			problems = append(problems, faqProblems(err)...)
			continue
		}
		names := []string{cfg.Bot.Name, cc.Name}
		r := answer.NewResponder(ix, answer.Detector{Names: names}, settingsFor(cfg, cc), now, log.With("channel", cc.Name))
		ch := &channel{name: cc.Name, faqFiles: files, responder: r}
		mod, err := newChannelModeration(cfg, cc, now, log.With("channel", cc.Name))
		if err != nil {
			r.Close()
			problems = append(problems, err.Error())
			continue
		}
		desk := escalationFor(esc, cfg, cc, ch, now, log)
		cmds := router.NewCommands(append(append([]router.Command{faqCommand(r)}, mod.commands()...), desk.commands...)...)
		// The desk's follow-up comes first: it sees every message and
		// hands back waiting answers without acting. Moderation comes
		// next, before commands: a viewer's "!ask <spam link>" or
		// "!help <spam>" is spam like any other line (the broadcaster and
		// moderators are exempt, so their commands always run), and a
		// removed message is never answered. Escalation comes after the
		// answer stage: what reaches it was not answered.
		// Feedback comes before the commands, which do not know !helpful
		// and !wrong, and before the answer stage, so "thanks" is never
		// taken for a question.
		ch.feedback = newFeedback(cfg, ch, now, log)
		stages := append(append(desk.front, mod.stages()...), ch.feedback, cmds, r)
		ch.pipeline = &router.Pipeline{Stages: append(stages, desk.after...)}
		out = append(out, ch)
	}
	if len(problems) > 0 {
		for _, ch := range out {
			ch.responder.Close()
		}
		return nil, badInput(errors.New(strings.Join(problems, "\n")))
	}
	return out, nil
}

// faqProblems returns one line per FAQ problem.
func faqProblems(err error) []string {
	var ve *answer.ValidationError
	if errors.As(err, &ve) {
		var out []string
		for _, p := range ve.Problems {
			out = append(out, p.String())
		}
		return out
	}
	return []string{err.Error()}
}

func closeChannels(chs []*channel) {
	for _, ch := range chs {
		ch.responder.Close()
	}
}

func pipelines(chs []*channel) map[string]*router.Pipeline {
	m := make(map[string]*router.Pipeline, len(chs))
	for _, ch := range chs {
		m[ch.name] = ch.pipeline
	}
	return m
}

// faqCommand is "!faq <question or entry id>": an explicit request, so it
// skips question detection; it still needs a confident match, because a
// wrong answer is worse than none.
func faqCommand(r *answer.Responder) router.Command {
	return router.Command{
		Name:  "faq",
		Usage: "!faq <question>",
		Run: func(_ context.Context, msg chat.Message, args string) chat.Decision {
			reply := func(text string) chat.Decision {
				return chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityCommand}}}
			}
			if args == "" {
				return reply("Ask me like this: !faq when do you stream? — topics: " + topics(r.Entries()))
			}
			for _, e := range r.Entries() {
				if strings.EqualFold(e.ID, args) {
					d := r.Answer(msg, answer.Candidate{Entry: &e, Confidence: 1})
					d.Action = chat.ActionCommand
					return d
				}
			}
			res, err := r.Lookup(args, 1)
			if err != nil || res.Best == nil {
				return reply("I have no answer for that yet — topics: " + topics(r.Entries()))
			}
			d := r.Answer(msg, *res.Best)
			d.Action = chat.ActionCommand
			return d
		},
	}
}

// topics lists entry ids, as many as fit in one chat message.
func topics(entries []answer.Entry) string {
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	var b strings.Builder
	for i, id := range ids {
		if b.Len()+len(id)+2 > 380 {
			fmt.Fprintf(&b, " … (+%d)", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	return b.String()
}
