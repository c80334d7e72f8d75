package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/replay"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/spf13/cobra"
)

// replayFlags choose what a dry run over recorded chat runs: the channel,
// a draft FAQ, the input format. bot replay and bot eval share them.
type replayFlags struct {
	channel string
	faq     []string
	format  string
	explain bool // bot replay only
}

func (f *replayFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.channel, "channel", "", "channel whose FAQ and rules apply (default: the first configured)")
	cmd.Flags().StringArrayVar(&f.faq, "faq", nil, "FAQ file to use instead of the channel's (repeatable)")
	cmd.Flags().StringVar(&f.format, "format", "auto", "input format: auto, plain, jsonl or irc")
}

// replayCommand is "bot replay": a dry run over recorded chat through the
// same pipeline as live chat, one JSON decision per message on stdout.
func (a *app) replayCommand(configPath *string) *cobra.Command {
	var fl replayFlags
	cmd := &cobra.Command{
		Use:   "replay [--channel C] [--faq FILE]... [--format auto|plain|jsonl|irc] FILE...",
		Short: "Run recorded chat through the bot and print one JSON decision per message",
		Long: "Reads recorded chat (plain 'user: text' lines, JSONL {\"user\",\"text\"}, or raw Twitch IRC lines;\n" +
			"detected per file) and prints one JSON object per message on stdout, in input order.\n" +
			"Nothing is sent anywhere. --faq replaces the channel's FAQ files for this run, to try a draft.\n" +
			"Use - as FILE for standard input.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			return a.replayFiles(cmd.Context(), *configPath, fl, files, a.stdout, nil)
		},
	}
	fl.add(cmd)
	cmd.Flags().BoolVar(&fl.explain, "explain", false, "add to moderation decisions what tipped them (\"explain\": family and words)")
	return cmd
}

// evalCommand is "bot eval": a replay of labelled chat scored against its
// labels, so a streamer can measure a FAQ before chat sees it.
func (a *app) evalCommand(configPath *string) *cobra.Command {
	var (
		fl   replayFlags
		show int
	)
	cmd := &cobra.Command{
		Use:   "eval [--channel C] [--faq FILE]... [--show N] FILE...",
		Short: "Score the bot on labelled chat: precision, recall, false answers, spam caught",
		Long: "Replays labelled JSONL chat ({\"user\",\"text\",\"expect\"} a line) as bot replay does and prints\n" +
			"how the bot scored. \"expect\" is the id of the FAQ entry that should answer the line, \"\" when\n" +
			"none should, or spam/ok for moderation. Then it lists up to --show of the wrong answers,\n" +
			"honest lines moderated, questions missed and spam let through (-1: all).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			fl.format = string(replay.FormatJSONL)
			var sc replay.Score
			if err := a.replayFiles(cmd.Context(), *configPath, fl, files, io.Discard, &sc); err != nil {
				return err
			}
			if !sc.Labelled() {
				return badInput(fmt.Errorf(`eval: no line of %s has an "expect" label`, strings.Join(files, ", ")))
			}
			return sc.Write(a.stdout, show)
		},
	}
	fl.add(cmd)
	cmd.Flags().Lookup("format").Hidden = true
	cmd.Flags().IntVar(&show, "show", 10, "how many lines of each kind of mistake to list (-1: all)")
	return cmd
}

// replayFiles builds the channel fl names over a memory store (nothing is
// written anywhere), replays each file (- is standard input) in turn with
// its decisions to out and, when sc is set, scored into it, then prints
// the summary on stderr.
func (a *app) replayFiles(ctx context.Context, configPath string, fl replayFlags, files []string, out io.Writer, sc *replay.Score) error {
	f, err := replay.ParseFormat(fl.format)
	if err != nil {
		return badInput(err)
	}
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	cc, err := cfg.pickChannel(fl.channel)
	if err != nil {
		return err
	}
	if len(fl.faq) > 0 {
		cc.FAQ = fl.faq
	}
	cfg.Channels = []ChannelConfig{cc}
	level := cfg.Bot.LogLevel
	if sc != nil {
		// A score is read whole at the end; what the desk did along the
		// way (tickets filed, viewers joining them) is noise around it.
		level = "warn"
	}
	chs, err := buildChannels(cfg, channelOptions{log: a.logger(level)})
	if err != nil {
		return err
	}
	defer chs.Close()
	r := router.NewRouter(chs.Pipelines(), nil, slog.New(slog.DiscardHandler))
	start := time.Now()
	rp := replay.NewReplayer(r, cc.Name, f, out)
	rp.Score = sc
	rp.Explain = fl.explain
	if isTerminal(a.stderr) {
		rp.Progress = a.stderr
	}
	sum, err := rp.ReplayFiles(ctx, files, a.stdin)
	if oe, ok := errors.AsType[*replay.OpenError](err); ok {
		return badInput(oe)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, sum.Line(time.Since(start)))
	return nil
}
