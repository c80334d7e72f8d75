package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
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
			return a.replayFiles(cmd.Context(), r, cc.Name, f, files)
		},
	}
	cmd.Flags().StringVar(&channelName, "channel", "", "channel whose FAQ and rules apply (default: the first configured)")
	cmd.Flags().StringArrayVar(&faqFiles, "faq", nil, "FAQ file to use instead of the channel's (repeatable)")
	cmd.Flags().StringVar(&format, "format", "auto", "input format: auto, plain, jsonl or irc")
	return cmd
}

// replaySummary counts what a replay decided.
type replaySummary struct {
	messages  int
	malformed int
	actions   map[chat.Action]int
	// clock is the time of the last message replayed.
	clock time.Time
}

func (a *app) replayFiles(ctx context.Context, r *router.Router, channel string, f replay.Format, files []string) error {
	out := replay.NewWriter(a.stdout)
	start := time.Now()
	sum := replaySummary{actions: map[chat.Action]int{}, clock: start}
	progress := isTerminal(a.stderr)
	for _, name := range files {
		if err := a.replayFile(ctx, r, channel, f, name, out, &sum, progress); err != nil {
			_ = out.Flush()
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write replay output: %w", err)
	}
	elapsed := time.Since(start)
	rate := float64(sum.messages) / elapsed.Seconds()
	var parts []string
	for _, act := range []chat.Action{chat.ActionAnswer, chat.ActionModerate, chat.ActionEscalate, chat.ActionCommand, chat.ActionIgnore} {
		parts = append(parts, fmt.Sprintf("%s %d", act, sum.actions[act]))
	}
	var other []string
	for act, n := range sum.actions {
		switch act {
		case chat.ActionAnswer, chat.ActionModerate, chat.ActionEscalate, chat.ActionCommand, chat.ActionIgnore:
		default:
			other = append(other, fmt.Sprintf("%s %d", act, n))
		}
	}
	sort.Strings(other)
	parts = append(parts, other...)
	fmt.Fprintf(a.stderr, "replayed %d messages in %s (%.0f msgs/s): %s", sum.messages, elapsed.Round(time.Millisecond), rate, strings.Join(parts, ", "))
	if sum.malformed > 0 {
		fmt.Fprintf(a.stderr, "; %d malformed lines", sum.malformed)
	}
	fmt.Fprintln(a.stderr)
	return nil
}

func (a *app) replayFile(ctx context.Context, r *router.Router, channel string, f replay.Format, name string, out *replay.Writer, sum *replaySummary, progress bool) error {
	var in io.Reader
	var size int64
	if name == "-" {
		in = a.stdin
	} else {
		file, err := os.Open(name)
		if err != nil {
			return badInput(fmt.Errorf("replay: %w", err))
		}
		defer file.Close()
		if fi, err := file.Stat(); err == nil {
			size = fi.Size()
		}
		in = file
	}
	cr := &countingReader{r: in}
	rd := replay.NewReader(cr, f, channel)
	var lastDraw time.Time
	for ctx.Err() == nil {
		rec, ok := rd.Next()
		if !ok {
			break
		}
		var d chat.Decision
		if rec.Err != nil {
			sum.malformed++
			d = chat.Decision{Action: chat.ActionIgnore, Note: "malformed: " + rec.Err.Error()}
		} else {
			// A line without a timestamp is taken to come a second after
			// the one before: replayed all in the same instant, a chatty
			// viewer's lines would look like a flood, and every repeated
			// question like a crowd.
			if rec.Msg.Time.IsZero() {
				rec.Msg.Time = sum.clock.Add(time.Second)
			}
			sum.clock = rec.Msg.Time
			var err error
			d, err = r.Handle(ctx, rec.Msg)
			if err != nil {
				return err
			}
		}
		if d.Action == "" {
			d.Action = chat.ActionIgnore
		}
		sum.messages++
		sum.actions[d.Action]++
		if err := out.Write(replay.NewOutput(rec, d)); err != nil {
			return fmt.Errorf("write replay output: %w", err)
		}
		if progress && size > 0 && sum.messages%512 == 0 && time.Since(lastDraw) > 100*time.Millisecond {
			lastDraw = time.Now()
			drawProgress(a.stderr, filepath.Base(name), cr.n, size, sum.messages)
		}
	}
	if progress && size > 0 {
		drawProgress(a.stderr, filepath.Base(name), size, size, sum.messages)
		fmt.Fprintln(a.stderr)
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("replay %s: %w", name, err)
	}
	return nil
}

// drawProgress redraws a one-line progress bar on a terminal.
func drawProgress(w io.Writer, name string, done, total int64, msgs int) {
	const width = 30
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	fmt.Fprintf(w, "\r%s [%s%s] %3.0f%% %d msgs", name, strings.Repeat("█", filled), strings.Repeat("·", width-filled), frac*100, msgs)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
