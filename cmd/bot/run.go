package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitErr carries the exit code a failure should end the process with.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

// Exit codes: 1 for a failure while running, 2 for bad input (config, FAQ,
// command line) found before anything started.
const (
	exitFailure  = 1
	exitBadInput = 2
)

func badInput(err error) error { return &exitErr{code: exitBadInput, err: err} }

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *exitErr
	if errors.As(err, &e) {
		return e.code
	}
	return exitFailure
}

// app is one invocation of the bot: its streams and environment.
type app struct {
	// env is the environment as KEY=value pairs. It is the whole list
	// rather than a getenv function because the config check names
	// CHATDESK_* variables that match no setting (a typo would otherwise
	// be ignored in silence).
	env    []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// hooks are what tests replace; zero in a real run.
	hooks liveHooks
}

// run is the whole program; main only adds signals and the exit code.
func run(ctx context.Context, args, env []string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{env: env, stdin: stdin, stdout: stdout, stderr: stderr}
	return a.execute(ctx, args)
}

func (a *app) execute(ctx context.Context, args []string) error {
	root := a.commands()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	// Cobra's own errors (unknown flag, wrong arguments) are usage
	// problems; the help that says how it is done is one command away.
	if err != nil && !errors.As(err, new(*exitErr)) && isUsageError(err) {
		return badInput(fmt.Errorf("%w\nSee '%s --help'.", err, cmd.CommandPath()))
	}
	return err
}

// usageError marks errors cobra reports about the command line itself.
type usageError struct{ error }

func isUsageError(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func (a *app) commands() *cobra.Command {
	var configPath string
	root := &cobra.Command{
		Use:           "bot",
		Short:         "chatdesk: a help desk for your stream's chat",
		Long:          "chatdesk answers viewers' questions from your FAQ, keeps order in chat and escalates what it cannot answer.\nWith no sub-command it runs the bot (see 'bot run --help').",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runBot(cmd.Context(), configPath)
		},
	}
	root.PersistentFlags().StringVarP(&configPath, "config", "c", "config.yaml", "config file")

	root.AddCommand(&cobra.Command{
		Use:   "run",
		Short: "Run the bot: on Twitch when signed in, else as a local console chat",
		Long: "Run the bot. Signed in (bot login, or CHATDESK_TWITCH_TOKEN) it joins the configured Twitch channels;\n" +
			"without, it is a local chat on standard input: each line 'name: text' (or plain 'text')\n" +
			"is a message in the first channel, '@mod name: text' speaks as a moderator.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runBot(cmd.Context(), configPath) },
	})
	root.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the config and every FAQ file; exit 2 on any problem",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.check(configPath) },
	})
	root.AddCommand(a.askCommand(&configPath))
	root.AddCommand(a.replayCommand(&configPath), a.evalCommand(&configPath))
	root.AddCommand(a.ticketsCommand(&configPath))
	root.AddCommand(a.reportCommand(&configPath))
	root.AddCommand(a.loginCommands(&configPath)...)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.stdout, "chatdesk %s\n", version)
			return err
		},
	})
	// All of them, the root too: "bot frobnicate" is a usage error as well.
	var usage func(c *cobra.Command)
	usage = func(c *cobra.Command) {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
		if c.Args != nil {
			inner := c.Args
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := inner(cmd, args); err != nil {
					return usageError{err}
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			usage(sub)
		}
	}
	usage(root)
	return root
}

// loadConfigFor loads the config for a command, turning problems into exit
// code 2.
func (a *app) loadConfigFor(path string) (*Config, error) {
	cfg, err := loadConfig(path, a.env)
	if err != nil {
		return nil, badInput(err)
	}
	return cfg, nil
}

// logger returns the program's logger, writing to stderr.
func (a *app) logger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: l}))
}
