// Starts `stackc lsp` for *.stack.hcl files; everything else is the server's.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const command = vscode.workspace.getConfiguration("stackc").get<string>("server.path", "stackc");
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "stackc" }],
  };
  client = new LanguageClient("stackc", "stackc", server, options);
  context.subscriptions.push({ dispose: () => client?.stop() });
  void client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
