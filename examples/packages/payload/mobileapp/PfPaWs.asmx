<%@ WebService Language="C#" Class="pfpaws.PfPaWs" %>
