package main

import (
	"encoding/json"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "print the detection parameters in force as a JSON config file to edit",
		Description: "With no flags it prints every default. --config and --set apply on top, " +
			"exactly as analyze would, so a config can be checked before a run.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Usage: "start from this JSON `FILE`"},
			&cli.StringSliceFlag{Name: "set", Usage: "override one parameter, e.g. --set syn_flood.threshold=500"},
			homeNetFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("config takes no arguments")
			}
			return runConfig(c.String("config"), c.StringSlice("set"), c.String("home-net"), c.App.Writer)
		},
	}
}

// loadTunables reads a config file (if any) and applies --set overrides,
// then --home-net (when not "") over network.home_net.
func loadTunables(file string, sets []string, homeNet string) (analyzer.Tunables, error) {
	t := analyzer.DefaultTunables()
	if file != "" {
		var err error
		if t, err = analyzer.LoadTunables(file); err != nil {
			return t, &inputError{err}
		}
	}
	for _, s := range sets {
		if err := t.Set(s); err != nil {
			return t, usagef("%v", err)
		}
	}
	if homeNet != "" {
		h, err := analyzer.ParseHomeNet(homeNet)
		if err != nil {
			return t, usagef("--home-net: %v", err)
		}
		t.Network.HomeNet = h
	}
	return t, nil
}

func runConfig(file string, sets []string, homeNet string, stdout io.Writer) error {
	t, err := loadTunables(file, sets, homeNet)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(out, '\n'))
	return err
}
