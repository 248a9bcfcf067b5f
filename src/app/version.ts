/** The widget's version, shown in GetInfo, the greeting and diagnostics. */
export const WIDGET_VERSION = "1.0.0";
