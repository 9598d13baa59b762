"""The service layer: the Workbench facade (commands with actor and reason become events;
queries answer from the read model), and the commands of each area it is made of.

Import the module you need (``pmtui.service.workbench``): this package imports nothing, so a
query that needs only the read model does not pay for the domain."""
