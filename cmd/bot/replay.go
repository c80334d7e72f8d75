package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/chatdesk/chatdesk/internal/replay"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/spf13/cobra"
)

// replayCommand is "bot replay": a dry run over recorded chat through the
// same pipeline as live chat, one JSON decision per message on stdout.
func (a *app) replayCommand(configPath *string) *cobra.Command {
	var (
		channelName string
		faqFiles    []string
		format      string
		explain     bool
	)
	cmd := &cobra.Command{
		Use:   "replay [--channel C] [--faq FILE]... [--format auto|plain|jsonl|irc] FILE...",
		Short: "Run recorded chat through the bot and print one JSON decision per message",
		Long: "Reads recorded chat (plain 'user: text' lines, JSONL {\"user\",\"text\"}, or raw Twitch IRC lines;\n" +
			"detected per file) and prints one JSON object per message on stdout, in input order.\n" +
			"Nothing is sent anywhere. --faq replaces the channel's FAQ files for this run, to try a draft.\n" +
			"Use - as FILE for standard input.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			f, err := replay.ParseFormat(format)
			if err != nil {
				return badInput(err)
			}
			cfg, err := a.loadConfigFor(*configPath)
			if err != nil {
				return err
			}
			cc, err := cfg.pickChannel(channelName)
			if err != nil {
				return err
			}
			if len(faqFiles) > 0 {
				cc.FAQ = faqFiles
			}
			cfg.Channels = []ChannelConfig{cc}
			chs, err := buildChannels(cfg, channelOptions{log: a.logger(cfg.Bot.LogLevel)})
			if err != nil {
				return err
			}
			defer chs.Close()
			r := router.NewRouter(chs.Pipelines(), nil, slog.New(slog.DiscardHandler))
			return a.replayFiles(cmd.Context(), r, cc.Name, f, explain, files)
		},
	}
	cmd.Flags().StringVar(&channelName, "channel", "", "channel whose FAQ and rules apply (default: the first configured)")
	cmd.Flags().StringArrayVar(&faqFiles, "faq", nil, "FAQ file to use instead of the channel's (repeatable)")
	cmd.Flags().StringVar(&format, "format", "auto", "input format: auto, plain, jsonl or irc")
	cmd.Flags().BoolVar(&explain, "explain", false, "add to moderation decisions what tipped them (\"explain\": family and words)")
	return cmd
}

// replayFiles replays each file (- is standard input) in turn, then
// prints the summary on stderr.
func (a *app) replayFiles(ctx context.Context, r *router.Router, channel string, f replay.Format, explain bool, files []string) error {
	start := time.Now()
	rp := replay.NewReplayer(r, channel, f, a.stdout)
	rp.Explain = explain
	if isTerminal(a.stderr) {
		rp.Progress = a.stderr
	}
	for _, name := range files {
		if err := a.replayFile(ctx, rp, name); err != nil {
			_, _ = rp.Finish()
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	sum, err := rp.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, sum.Line(time.Since(start)))
	return nil
}

// replayFile opens one input; a file that cannot be read is bad input.
func (a *app) replayFile(ctx context.Context, rp *replay.Replayer, name string) error {
	if name == "-" {
		return rp.Replay(ctx, name, a.stdin, 0)
	}
	file, err := os.Open(name)
	if err != nil {
		return badInput(fmt.Errorf("replay: %w", err))
	}
	defer file.Close()
	var size int64
	if fi, err := file.Stat(); err == nil {
		size = fi.Size()
	}
	return rp.Replay(ctx, name, file, size)
}
