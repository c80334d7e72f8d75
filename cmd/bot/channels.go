package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/feedback"
	"github.com/chatdesk/chatdesk/internal/metrics"
	"github.com/chatdesk/chatdesk/internal/moderation"
	"github.com/chatdesk/chatdesk/internal/question"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/web"
)

// channelOptions are what differs between the commands that build
// channels: the live bot keeps what it learns, a dry run keeps nothing.
type channelOptions struct {
	// store is where tickets go; nil keeps them in memory for the run (a
	// dry run, as replay is), and turns !learn and block-list saving off.
	store escalation.Store
	// metrics count tips; nil: not counted.
	metrics *metrics.Metrics
	// now is the clock of messages without a time; nil is time.Now.
	now func() time.Time
	log *slog.Logger
	// signals are the account ages and emote names moderation learns
	// beside chat; zero: text only, as in a dry run.
	signals signals
	// faqs is one index per FAQ file list for all channels; nil: a new one.
	faqs *answer.Library
}

// learnedPath is a channel's learned-answers FAQ file.
func learnedPath(cfg *Config, channel string) string {
	return filepath.Join(cfg.Bot.DataDir, "learned", channel+".yaml")
}

// faqFiles are a channel's FAQ files plus its learned file, so what !learn
// taught survives a restart; an unreadable one is listed, to fail at start.
func faqFiles(cfg *Config, cc ChannelConfig) []string {
	files := append([]string(nil), cc.FAQ...)
	if _, err := os.Stat(learnedPath(cfg, cc.Name)); !errors.Is(err, os.ErrNotExist) {
		files = append(files, learnedPath(cfg, cc.Name))
	}
	return files
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// pickChannel finds a channel of the config by name, as a user types it
// (any case, with or without '#'); empty means the first. Every command
// that takes --channel looks it up here.
func (c *Config) pickChannel(name string) (ChannelConfig, error) {
	if name == "" {
		return c.Channels[0], nil
	}
	want := router.NormalizeChannel(name)
	names := make([]string, len(c.Channels))
	for i, cc := range c.Channels {
		if cc.Name == want {
			return cc, nil
		}
		names[i] = cc.Name
	}
	return ChannelConfig{}, badInput(fmt.Errorf("no channel %q in the config (configured: %s)", name, strings.Join(names, ", ")))
}

// channelNames are the configured channels' names, in config order.
func (c *Config) channelNames() []string {
	names := make([]string, len(c.Channels))
	for i, cc := range c.Channels {
		names[i] = cc.Name
	}
	return names
}

// buildChannels builds every configured channel. All channels' FAQ and rule
// problems are reported together, as bad input.
func buildChannels(cfg *Config, o channelOptions) (*router.Channels, error) {
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	dry := o.store == nil
	if o.faqs == nil {
		o.faqs = answer.NewLibrary(cfg.Answer.Semantic.Embedder(filepath.Join(cfg.Bot.DataDir, "embeddings")))
	}
	if dry {
		o.store = escalation.NewMemoryStore()
	}
	var built []*router.Channel
	var problems []string
	for _, cc := range cfg.Channels {
		ch, err := buildChannel(cfg, cc, o, dry)
		if err != nil {
			problems = append(problems, faqProblems(err)...)
			continue
		}
		built = append(built, ch)
	}
	chs, err := router.NewChannels(built...)
	if err == nil && len(problems) > 0 {
		err = errors.New(strings.Join(problems, "\n"))
	}
	if err != nil {
		for _, ch := range built {
			ch.Close()
		}
		return nil, badInput(err)
	}
	return chs, nil
}

// buildChannel copies channel cc's config into its parts.
func buildChannel(cfg *Config, cc ChannelConfig, o channelOptions, dry bool) (*router.Channel, error) {
	log := o.log.With("channel", cc.Name)
	files := faqFiles(cfg, cc)
	set := cfg.Answer.Settings(cc.Answer)
	set.Embedder = o.faqs.Embedder()
	ix, err := o.faqs.Load(files...)
	if err != nil {
		return nil, err
	}
	if ix.RemoteErr != nil {
		log.Warn("embedding model not used; the built-in score stands in", "err", ix.RemoteErr)
	}
	names := []string{cfg.Bot.Name, cc.Name}
	detector := question.Detector{Names: names}
	r := answer.NewResponder(ix, detector, set, o.now, log)
	p := router.Parts{
		Name: cc.Name, Reader: detector, Responder: r,
		FAQFiles: files, ReloadInterval: cfg.Answer.ReloadInterval, FAQs: o.faqs,
		Feedback: feedback.Config{Window: cfg.Feedback.Window, Now: o.now, Log: log},
		Tips:     newTips(cfg, cc.Name, r, o.metrics, log),
		Log:      log,

		KnowledgeBase: web.KnowledgeBaseURL(cfg.HTTP.PublicURL, cc.Name),
	}
	if s, enabled := cfg.Moderation.Settings(&cc.Moderation); enabled {
		blocked := moderation.BlockFile{Path: filepath.Join(cfg.Bot.DataDir, cc.Name, "blocked.yaml"), Dry: dry}
		terms, err := blocked.Load()
		if err == nil {
			p.Moderation, err = moderation.New(cc.Name, s, moderation.Options{Now: o.now, Log: log, Blocked: terms, BlockedFile: blocked.Path})
		}
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("#%s: moderation: %w", cc.Name, err)
		}
		p.Blocked = blocked
		if s.FetchEmotes && o.signals.emotes != nil {
			o.signals.emotes.Watch(cc.Name, p.Moderation.SetEmotes)
		}
	}
	if set, enabled := cfg.Escalation.Settings(cc.Escalation); enabled {
		p.Desk = &escalation.Config{Channel: cc.Name, Store: o.store, Settings: set, Names: names, Now: o.now, Log: o.log}
		if !dry {
			p.LearnedPath = learnedPath(cfg, cc.Name)
		}
	}
	ch := router.NewChannel(p)
	if p.Moderation != nil && o.signals.ages != nil {
		p.Moderation.Attach(o.signals.ages, ch)
	}
	return ch, nil
}

// newTips builds a channel's proactive tips from its live FAQ, so an entry
// given announce in a reload starts being tipped without a restart.
func newTips(cfg *Config, channel string, r *answer.Responder, m *metrics.Metrics, log *slog.Logger) *answer.Tips {
	var onPost func(channel, entry string)
	if m != nil {
		onPost = m.TipPosted
	}
	return answer.NewTips(answer.TipsConfig{
		Channel: channel, Entries: r.Entries, Settings: cfg.Answer.Tips.Settings(), Log: log, OnPost: onPost,
	})
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
