/** The apt-get command that installs Debian's chromium. */
export declare const INSTALL_COMMAND: string;
/** $CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on the PATH; undefined when none. */
export declare function findChromium(): string | undefined;
