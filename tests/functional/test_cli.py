"""The CLI frame: version, help, global flags and usage errors."""
import json
import subprocess
import unittest

from podtest import POD_BIN, PodTestCase


class CliTest(PodTestCase):
    def test_version_text_and_json(self):
        res = self.pod("version", check=0)
        self.assertIn("pod Version:", res.stdout)
        self.assertIn("appc Version: 0.8.11", res.stdout)
        data = json.loads(self.pod("version", "--format=json", check=0).stdout)
        self.assertEqual(data["appcVersion"], "0.8.11")

    def test_help_lists_commands(self):
        res = self.pod("help", check=0)
        self.assertIn("version", res.stdout)
        self.assertIn("--insecure-options", res.stdout)
        self.assertEqual(subprocess.run([POD_BIN, "--help"], capture_output=True).returncode, 0)

    def test_command_help(self):
        for argv in (["help", "version"], ["version", "--help"]):
            res = self.pod(*argv, check=0)
            self.assertIn("--format", res.stdout)
            self.assertIn("--dir", res.stdout)

    def test_unknown_command_is_usage_error(self):
        res = self.pod("frobnicate", check=254)
        self.assertIn('unknown command "frobnicate"', res.stderr)

    def test_unknown_flag_is_usage_error(self):
        res = self.pod("version", "--no-such-flag", check=254)
        self.assertIn("no-such-flag", res.stderr)

    def test_global_flags_before_and_after_command(self):
        self.pod("--debug", "version", check=0)
        self.pod("version", "--debug", check=0)
        self.pod("--dir", self.data_dir, "version", check=0, globals=False)

    def test_bad_insecure_option(self):
        res = self.pod("version", "--insecure-options=everything", check=254)
        self.assertIn("everything", res.stderr)

    def test_stray_arguments_are_usage_errors(self):
        # A stray word must never be ignored: `pod gc extra` collecting everything would surprise.
        for cmd in (["gc", "extra"], ["list", "extra"], ["config", "extra"], ["version", "extra"]):
            res = self.pod(*cmd, check=254)
            self.assertIn("takes no arguments", res.stderr)
            self.assertIn('"extra"', res.stderr)

    def test_unknown_pod_names_the_uuid_without_errno_noise(self):
        res = self.pod("status", "12345678", check=254)
        self.assertIn('no matches found for "12345678"', res.stderr)
        self.assertNotIn("No such file", res.stderr)

    def test_no_command(self):
        res = subprocess.run([POD_BIN], capture_output=True, text=True)
        self.assertEqual(res.returncode, 254)
        self.assertIn("Usage", res.stderr)


if __name__ == "__main__":
    unittest.main()
