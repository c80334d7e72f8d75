package main

import (
	"fmt"
	"log/slog"
	"strings"
)

// check validates the config and every FAQ file and prints one line per
// channel. Problems go to stderr as file:line: field: problem, exit code 2.
func (a *app) check(configPath string) error {
	cfg, err := a.loadConfigFor(configPath)
	if err != nil {
		return err
	}
	cfg.dryRun = true
	chs, err := buildChannels(cfg, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer closeChannels(chs)
	for i, ch := range chs {
		s := settingsFor(cfg, cfg.Channels[i])
		fmt.Fprintf(a.stdout, "#%s: ok — %d FAQ entries from %s; min confidence en %.2f, zh %.2f; cooldown %s\n",
			ch.name, len(ch.responder.Entries()), strings.Join(cfg.Channels[i].FAQ, ", "),
			s.Threshold("en"), s.Threshold("zh"), s.Cooldown)
	}
	return nil
}
